package dev.relay.store.webhook;

import java.time.Instant;

/** One row of the webhook outbox as stored. */
public record OutboxRecord(
    long id,
    String eventId,
    String tenantId,
    String deliveryId,
    String type,
    String payloadJson,
    OutboxState state,
    int attempts,
    Instant nextAttemptAt,
    String lastError,
    Instant createdAt,
    Instant deliveredAt) {}
