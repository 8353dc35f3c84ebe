package dev.relay.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a process gets its payload keys. Read once when the data converter is made (rotation
 * takes a restart, which both apps tolerate). A KMS implements this by unwrapping its data keys
 * into a {@link Keyring}.
 */
@FunctionalInterface
public interface KeyProvider {

  Keyring keyring();

  /** Keys given as text, e.g. from configuration (relay.codec.keys). */
  static KeyProvider inline(String keys, String primaryId) {
    return () -> Keyring.parse(keys, primaryId, "relay.codec.keys");
  }

  /** Keys in an environment variable, in the text form of {@link Keyring#parse}. */
  static KeyProvider environment(String variable, String primaryId) {
    return () -> {
      String value = System.getenv(variable);
      if (value == null || value.isBlank()) {
        throw new IllegalStateException("the environment variable " + variable
            + " holds no payload keys");
      }
      return Keyring.parse(value, primaryId, "$" + variable);
    };
  }

  /** Keys in a file (one {@code <key-id>:<base64>} per line), e.g. .relay/payload-keys. */
  static KeyProvider file(Path file, String primaryId) {
    return () -> {
      try {
        return Keyring.parse(Files.readString(file, StandardCharsets.UTF_8), primaryId,
            file.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the payload key file " + file
            + " (relay.codec.key-file): " + e.getMessage(), e);
      }
    };
  }
}
