package dev.relay.codec;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code relay.codec.*} of the API and the worker (and the same values for the benchmark and the
 * system tests). Encryption is on as soon as a key is configured.
 *
 * @param keys the keyring inline: {@code <key-id>:<base64 of 32 bytes>} entries separated by
 *     commas (env RELAY_CODEC_KEYS)
 * @param keyFile a file with the same entries, one per line (env RELAY_CODEC_KEY_FILE); what
 *     {@code ./relay up} generates under .relay/
 * @param primaryKeyId the key new payloads are sealed with; blank: the last key listed
 * @param required refuse to start without a key (production); false lets a bare developer run
 *     work without encryption, with a warning at start
 */
public record CodecSettings(String keys, String keyFile, String primaryKeyId, boolean required) {

  public static final CodecSettings NONE = new CodecSettings(null, null, null, false);

  /**
   * The configured key source, or empty when none is configured.
   *
   * @throws IllegalStateException when both sources are set, or none is and a key is required
   */
  public Optional<KeyProvider> keyProvider() {
    boolean inline = keys != null && !keys.isBlank();
    boolean file = keyFile != null && !keyFile.isBlank();
    String primary = primaryKeyId == null || primaryKeyId.isBlank() ? null : primaryKeyId.strip();
    if (inline && file) {
      throw new IllegalStateException("both relay.codec.keys and relay.codec.key-file are set; "
          + "keep the whole keyring in one of them");
    }
    if (inline) {
      return Optional.of(KeyProvider.inline(keys, primary));
    }
    if (file) {
      return Optional.of(KeyProvider.file(Path.of(keyFile.strip()), primary));
    }
    if (required) {
      throw new IllegalStateException("relay.codec.required is true but no payload key is "
          + "configured: set relay.codec.key-file (RELAY_CODEC_KEY_FILE) to a keyring file or "
          + "relay.codec.keys (RELAY_CODEC_KEYS) to '<key-id>:<base64 of 32 random bytes>' "
          + "(make one with: echo \"k1:$(head -c 32 /dev/urandom | base64)\")");
    }
    return Optional.empty();
  }

  /** What a start-up log line says about payload encryption (never key material). */
  public String describe() {
    return keyProvider()
        .map(p -> {
          Keyring ring = p.keyring();
          return "payload encryption ON (" + SealedPayloadCodec.CIPHER + ", primary key '"
              + ring.primaryId() + "', keys " + ring.ids() + ")";
        })
        .orElse("payload encryption OFF: no relay.codec key configured; workflow inputs and "
            + "results reach Temporal in clear (set relay.codec.required=true to refuse this)");
  }
}
