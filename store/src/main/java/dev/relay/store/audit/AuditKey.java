package dev.relay.store.audit;

import java.util.Objects;

/**
 * One HMAC key of the audit chain. The secret never goes into the database: rows and
 * checkpoints record only {@code id}, so a key can be rotated while old rows stay verifiable.
 */
public record AuditKey(String id, byte[] secret) {
  /** HMAC-SHA256 keys shorter than this are refused: they would be guessable. */
  public static final int MIN_SECRET_BYTES = 32;

  public AuditKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secret, "secret");
    if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("audit key id '" + id
          + "' must be 1-64 letters, digits, '.', '_' or '-'");
    }
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("audit key '" + id + "' has " + secret.length
          + " bytes; it needs at least " + MIN_SECRET_BYTES
          + " (e.g. `openssl rand -base64 32`)");
    }
    secret = secret.clone();
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public String toString() {
    return "AuditKey[" + id + "]"; // never the secret
  }
}
