package dev.relay.store.tenant;

/** What a rotation did, decided under the old key's row lock. */
public sealed interface KeyRotation {

  /** The successor (value shown once) and the old key as it is now: replaced, new expiry. */
  record Rotated(IssuedKey issued, ApiKey previous) implements KeyRotation {}

  /** The key is revoked or expired: nothing changed. */
  record Inactive(ApiKey key) implements KeyRotation {}
}
