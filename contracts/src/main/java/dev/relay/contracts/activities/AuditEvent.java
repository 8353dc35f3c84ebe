package dev.relay.contracts.activities;

import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryStatus;
import java.time.Instant;

/**
 * One audit event of a delivery.
 *
 * @param sequence the workflow's event counter: with the delivery ID it is the idempotency key
 * @param occurredAt workflow time of the event
 * @param actor "relay" for the workflow itself, or the support user / client that acted
 * @param step e.g. "verify", "consent", "prepare", "send", "receipt", "support.retry"
 * @param outcome e.g. "ok", "rejected", "failed", "accepted"
 * @param status the delivery status after this event, or null when it does not change it
 * @param consentVersion the consent version a consent decision used, else null
 */
public record AuditEvent(
    String tenantId,
    String deliveryId,
    long sequence,
    Instant occurredAt,
    String actor,
    String step,
    String outcome,
    String detail,
    DeliveryStatus status,
    Channel channel,
    int attempts,
    Integer consentVersion,
    String provider,
    String providerMessageId) {}
