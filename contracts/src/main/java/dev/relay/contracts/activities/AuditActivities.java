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
}
