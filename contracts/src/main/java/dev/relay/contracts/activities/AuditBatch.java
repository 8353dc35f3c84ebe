package dev.relay.contracts.activities;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * Bookkeeping the workflow has decided but not yet written: audit events (and the status
 * notifications that report some of them). Bookkeeping is not a step of its own: the next
 * activity the workflow calls anyway writes the batch first, in one transaction, and only a
 * workflow about to wait (or to end) spends an activity on the rest.
 *
 * <p>Idempotent like its parts: events on (delivery ID, sequence), notifications on their event
 * ID, so a retried activity writes nothing twice.
 */
public record AuditBatch(List<AuditEvent> events, List<StatusNotification> notifications) {

  public static final AuditBatch EMPTY = new AuditBatch(List.of(), List.of());

  public AuditBatch {
    events = events == null ? List.of() : List.copyOf(events);
    notifications = notifications == null ? List.of() : List.copyOf(notifications);
  }

  @JsonIgnore // derived, not data: kept out of the payload
  public boolean isEmpty() {
    return events.isEmpty() && notifications.isEmpty();
  }

  /** Null-safe: a request recorded before batches existed carries none. */
  public static AuditBatch orEmpty(AuditBatch batch) {
    return batch == null ? EMPTY : batch;
  }
}
