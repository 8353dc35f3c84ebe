package dev.relay.store.delivery;

/**
 * A delivery to record under (tenant, idempotency key): what {@link DeliveryRepository#acceptAll}
 * inserts.
 *
 * @param requestJson the canonical request (what {@code requestHash} covers)
 */
public record NewDelivery(
    String id,
    String tenantId,
    String idempotencyKey,
    String requestHash,
    String requestJson,
    String recipientId,
    String purpose,
    String templateId,
    String initialStatus) {}
