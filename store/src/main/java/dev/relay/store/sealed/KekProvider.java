package dev.relay.store.sealed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a process gets its key-encryption keys; the same idea as the payload codec's
 * KeyProvider. Read once at start (adding or promoting a KEK takes a rolling restart). A KMS
 * implements this by returning a {@link KekRing} of the KMS's remote AEADs (Tink's
 * {@code KmsClient.getAead}), so the KEK itself never leaves the KMS.
 */
@FunctionalInterface
public interface KekProvider {

  KekRing keyring();

  /** KEKs given as text, e.g. from configuration (relay.at-rest.keys). */
  static KekProvider inline(String keys, String primaryId) {
    return () -> KekRing.parse(keys, primaryId, "relay.at-rest.keys");
  }

  /** KEKs in a file (one {@code <kek-id>:<base64>} per line), e.g. .relay/at-rest-keys. */
  static KekProvider file(Path file, String primaryId) {
    return () -> {
      try {
        return KekRing.parse(Files.readString(file, StandardCharsets.UTF_8), primaryId,
            file.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the KEK file " + file
            + " (relay.at-rest.key-file): " + e.getMessage(), e);
      }
    };
  }
}
