package dev.relay.store.tenant;

/** Who an API key belongs to. */
public record ApiKeyPrincipal(String tenantId, Role role, String name) {}
