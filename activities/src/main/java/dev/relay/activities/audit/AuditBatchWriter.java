package dev.relay.activities.audit;

import dev.relay.activities.notifications.NotificationActivitiesImpl;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.AuditBatch;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.StatusNotification;
import dev.relay.store.UnitOfWork;
import dev.relay.store.audit.AuditRecord;
import dev.relay.store.audit.NewAuditEvent;
import java.util.List;

/**
 * Writes the workflow's bookkeeping (an {@link AuditBatch}) for whichever activity carries it:
 * in a transaction of its own, or inside the transaction of the fact it goes with.
 *
 * <p>Idempotency: events on (delivery ID, sequence), notifications on their event ID, so a
 * retried activity writes nothing twice and the audit chain does not fork.
 */
public class AuditBatchWriter {
  private final UnitOfWork store;

  public AuditBatchWriter(UnitOfWork store) {
    this.store = store;
  }

  /** Writes the batch in one transaction; an empty batch costs no round trip. */
  public void write(AuditBatch batch) {
    if (batch == null || batch.isEmpty()) {
      return;
    }
    store.inTransaction(w -> {
      write(w, batch);
      return null;
    });
  }

  /**
   * Writes the batch inside {@code w}'s transaction: notifications first, then the events (whose
   * chain lock is then held only until commit).
   */
  public void write(UnitOfWork.Writes w, AuditBatch batch) {
    batch.notifications().forEach(n -> enqueue(w, n));
    w.appendAudit(batch.events().stream().map(AuditBatchWriter::toStore).toList());
  }

  /**
   * Appends one event inside {@code w}'s transaction and returns it as stored: when the event's
   * (delivery, sequence) was written before, that earlier event, so a retry gets the same answer.
   */
  public AuditEvent append(UnitOfWork.Writes w, AuditEvent event) {
    return fromStore(w.appendAudit(List.of(toStore(event))).get(0));
  }

  /** Queues a status notification inside {@code w}'s transaction (idempotent on its event ID). */
  public void enqueue(UnitOfWork.Writes w, StatusNotification notification) {
    w.enqueueWebhook(NotificationActivitiesImpl.outboxEvent(notification));
  }

  static NewAuditEvent toStore(AuditEvent e) {
    return new NewAuditEvent(
        e.tenantId(),
        e.deliveryId(),
        e.sequence(),
        e.occurredAt(),
        e.actor(),
        e.step(),
        e.outcome(),
        e.detail(),
        e.status() == null ? null : e.status().name(),
        e.channel() == null ? null : e.channel().name(),
        e.attempts(),
        e.consentVersion(),
        e.provider(),
        e.providerMessageId());
  }

  static AuditEvent fromStore(AuditRecord r) {
    return new AuditEvent(
        r.tenantId(),
        r.deliveryId(),
        r.sequence() == null ? 0 : r.sequence(),
        r.occurredAt(),
        r.actor(),
        r.step(),
        r.outcome(),
        r.detail(),
        r.status() == null ? null : DeliveryStatus.valueOf(r.status()),
        r.channel() == null ? null : Channel.valueOf(r.channel()),
        r.attempts() == null ? 0 : r.attempts(),
        r.consentVersion(),
        r.provider(),
        r.providerMessageId());
  }
}
