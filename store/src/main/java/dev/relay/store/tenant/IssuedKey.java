package dev.relay.store.tenant;

/** A key just made: the only time its {@code value} exists outside the caller's hands. */
public record IssuedKey(ApiKey key, String value) {}
