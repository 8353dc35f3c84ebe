package dev.relay.store.recipient;

import java.time.Instant;

/** A server-owned stop on one contact point of a tenant. */
public record Suppression(
    long id,
    String tenantId,
    String channel,
    String address,
    SuppressionReason reason,
    String detail,
    String deliveryId,
    Instant createdAt,
    Instant clearedAt,
    String clearedBy,
    String clearReason) {

  /** How the contact point shows it: reason and provider code. */
  public String describe() {
    return reason.name() + (detail == null ? "" : " (" + detail + ")");
  }
}
