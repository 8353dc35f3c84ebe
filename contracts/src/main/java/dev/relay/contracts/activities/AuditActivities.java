package dev.relay.contracts.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface AuditActivities {

  /**
   * Appends one event to the tenant's hash-chained audit trail and, when the event carries a
   * status, updates the delivery's status row. Idempotent on (delivery ID, sequence number): a
   * retried call finds the event already written and changes nothing.
   */
  @ActivityMethod
  void recordAudit(AuditEvent event);

  /**
   * Writes a batch of events and status notifications in one transaction (events appended in
   * sequence order, the delivery's status row set from the newest event that carries a status,
   * notifications queued in the webhook outbox). Idempotent as {@link AuditBatch} says. Called
   * only where the workflow is about to wait or end with bookkeeping no other activity carried.
   */
  @ActivityMethod
  void recordBatch(AuditBatch batch);
}
