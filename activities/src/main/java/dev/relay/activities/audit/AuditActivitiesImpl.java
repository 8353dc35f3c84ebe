package dev.relay.activities.audit;

import dev.relay.contracts.activities.AuditActivities;
import dev.relay.contracts.activities.AuditBatch;
import dev.relay.contracts.activities.AuditEvent;
import java.util.List;

/**
 * Appends workflow events to the tenant's hash-chained audit trail.
 *
 * <p>Idempotency: events are keyed by (delivery ID, sequence). The store finds an event already
 * written under that key and returns it unchanged, so a retry after a lost response adds no
 * second row and does not fork the chain. Notifications in a batch are keyed by their event ID.
 */
public class AuditActivitiesImpl implements AuditActivities {
  private final AuditBatchWriter batches;

  public AuditActivitiesImpl(AuditBatchWriter batches) {
    this.batches = batches;
  }

  @Override
  public void recordAudit(AuditEvent event) {
    batches.write(new AuditBatch(List.of(event), List.of()));
  }

  /** Idempotency: as {@link AuditBatch} says; the whole batch commits in one transaction. */
  @Override
  public void recordBatch(AuditBatch batch) {
    batches.write(batch);
  }
}
