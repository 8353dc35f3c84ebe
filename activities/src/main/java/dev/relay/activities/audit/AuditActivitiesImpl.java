package dev.relay.activities.audit;

import dev.relay.contracts.activities.AuditActivities;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.NewAuditEvent;

/**
 * Appends workflow events to the tenant's hash-chained audit trail.
 *
 * <p>Idempotency: keyed by (delivery ID, sequence). The store finds an event already written
 * under that key and returns it unchanged, so a retry after a lost response adds no second row
 * and does not fork the chain.
 */
public class AuditActivitiesImpl implements AuditActivities {
  private final AuditRepository audit;

  public AuditActivitiesImpl(AuditRepository audit) {
    this.audit = audit;
  }

  @Override
  public void recordAudit(AuditEvent event) {
    audit.append(toStore(event));
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
}
