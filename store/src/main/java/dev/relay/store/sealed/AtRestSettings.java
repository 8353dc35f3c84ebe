package dev.relay.store.sealed;

import java.nio.file.Path;

/**
 * {@code relay.at-rest.*} of the API and the worker (both must have the same KEKs).
 *
 * @param keys the KEK ring inline: {@code <kek-id>:<base64 of 32 bytes>} entries, comma
 *     separated (env RELAY_ATREST_KEYS)
 * @param keyFile a file with the same entries, one per line; what {@code ./relay up} generates
 *     (.relay/at-rest-keys)
 * @param primaryKeyId the KEK new data keys are wrapped with; blank: the last one listed
 * @param required refuse to start without a configured KEK (every deployment); false falls back
 *     to the public development KEK, with a warning
 */
public record AtRestSettings(String keys, String keyFile, String primaryKeyId, boolean required) {

  public static final AtRestSettings LOCAL = new AtRestSettings(null, null, null, false);

  /**
   * The KEK ring to use.
   *
   * @throws IllegalStateException when both sources are set, or none is and one is required
   */
  public KekRing keyring() {
    boolean inline = keys != null && !keys.isBlank();
    boolean file = keyFile != null && !keyFile.isBlank();
    String primary = primaryKeyId == null || primaryKeyId.isBlank() ? null : primaryKeyId.strip();
    if (inline && file) {
      throw new IllegalStateException("both relay.at-rest.keys and relay.at-rest.key-file are "
          + "set; keep the whole KEK ring in one of them");
    }
    if (!inline && !file) {
      if (required) {
        throw new IllegalStateException("relay.at-rest.required is true but no key-encryption key"
            + " is configured: set relay.at-rest.key-file (RELAY_ATREST_KEY_FILE) to a KEK file or"
            + " relay.at-rest.keys (RELAY_ATREST_KEYS) to '<kek-id>:<base64 of 32 random bytes>'"
            + " (make one with: echo \"kek-1:$(head -c 32 /dev/urandom | base64)\")");
      }
      return KekRing.localDevelopment();
    }
    KekRing ring = inline ? KekProvider.inline(keys, primary).keyring()
        : KekProvider.file(Path.of(keyFile.strip()), primary).keyring();
    if (required && ring.primaryIsLocalDevelopment()) {
      throw new IllegalStateException("relay.at-rest.required is true but the primary KEK is the"
          + " public development key '" + KekRing.LOCAL_DEV_ID + "'");
    }
    // Without `required`, data keys a bare run wrapped with the development KEK still open (and
    // are re-wrapped with the configured primary on first use).
    return required ? ring : ring.withReadOnly(KekRing.localDevelopment());
  }

  /** What a start-up log line says (never key material). */
  public String describe() {
    KekRing ring = keyring();
    return ring.primaryIsLocalDevelopment()
        ? "encryption at rest with the PUBLIC development KEK '" + KekRing.LOCAL_DEV_ID + "': "
            + "anyone with the source can unwrap the data keys. Configure relay.at-rest.key-file "
            + "and relay.at-rest.required=true outside local development"
        : "encryption at rest ON (AES-256-GCM envelope, primary KEK '" + ring.primaryId()
            + "', KEKs " + ring.ids() + ")";
  }
}
