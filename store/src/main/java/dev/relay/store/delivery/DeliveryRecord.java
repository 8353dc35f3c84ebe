package dev.relay.store.delivery;

import java.time.Instant;

/**
 * The stored side of a delivery: its idempotency record and its status projection.
 *
 * @param requestJson the accepted request, canonical JSON (what the request hash covers)
 * @param workflowStarted whether Temporal has confirmed the workflow start
 */
public record DeliveryRecord(
    String id,
    String tenantId,
    String idempotencyKey,
    String requestHash,
    String requestJson,
    String recipientId,
    String purpose,
    String templateId,
    String status,
    String channel,
    int attempts,
    String reason,
    boolean workflowStarted,
    Instant createdAt,
    Instant updatedAt) {}
