package dev.relay.store.tenant;

/** Who an API key belongs to; {@code keyId} names the key itself (for audit and last use). */
public record ApiKeyPrincipal(String tenantId, Role role, String name, String keyId) {

  /** A principal without a key ID (tests, internal callers). */
  public ApiKeyPrincipal(String tenantId, Role role, String name) {
    this(tenantId, role, name, null);
  }
}
