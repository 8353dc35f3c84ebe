package dev.relay.store.tenant;

import java.time.Instant;

/**
 * An API key as an admin sees it: never its value.
 *
 * @param prefix the first characters of the value (null for keys from configuration)
 * @param source {@code api} (made through the admin API) or {@code bootstrap} (configuration)
 * @param expiresAt when it stops working (null: until revoked); a rotation sets it on the old key
 * @param lastUsedAt the last successful authentication, to the minute
 * @param replacedBy the ID of the key a rotation made from this one
 */
public record ApiKey(
    String id,
    String tenantId,
    Role role,
    String name,
    String prefix,
    String source,
    Instant createdAt,
    Instant expiresAt,
    Instant lastUsedAt,
    Instant revokedAt,
    String replacedBy) {

  /** Whether the key authenticates at {@code now}. */
  public boolean activeAt(Instant now) {
    return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
  }
}
