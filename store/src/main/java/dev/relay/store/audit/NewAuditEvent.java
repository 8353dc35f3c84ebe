package dev.relay.store.audit;

import java.time.Instant;

/**
 * An event to append. {@code deliveryId} + {@code sequence} (both optional, together) make it
 * idempotent; {@code status} (optional) also moves the delivery's status projection.
 */
public record NewAuditEvent(
    String tenantId,
    String deliveryId,
    Long sequence,
    Instant occurredAt,
    String actor,
    String step,
    String outcome,
    String detail,
    String status,
    String channel,
    Integer attempts,
    Integer consentVersion,
    String provider,
    String providerMessageId) {}
