package dev.relay.store.audit;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The audit chain's keys: the current one signs new rows and checkpoints, older ones (by ID) still
 * verify what they signed. A KMS or secret store can implement this; {@link #of} and
 * {@link #fromFile} cover configuration and files.
 */
public interface AuditKeys {

  /** The ID and base64 secret of the key that {@link #localDevelopment()} uses. */
  String LOCAL_DEV_KEY_ID = "local-dev-1";

  String LOCAL_DEV_SECRET = "cmVsYXktbG9jYWwtZGV2LWF1ZGl0LWtleS0wMDAwMDA="; // 32 bytes

  /** The key new rows and checkpoints are signed with. */
  AuditKey current();

  /** A key by its ID, for verifying what it signed. */
  Optional<AuditKey> byId(String id);

  /** The key {@code id} or an error that says what to configure. */
  default AuditKey require(String id) {
    return byId(id).orElseThrow(() -> new IllegalStateException("audit key '" + id
        + "' is not configured: rows or checkpoints signed with it cannot be verified. Add it"
        + " (relay.audit.keys." + id + " or a line key." + id + "=<base64> in the key file)"));
  }

  /** Whether the current key is the publicly known local-development key. */
  default boolean isLocalDevelopment() {
    return LOCAL_DEV_KEY_ID.equals(current().id());
  }

  /**
   * Keys from base64 secrets by ID; {@code currentId} must be one of them.
   */
  static AuditKeys of(Map<String, String> base64Secrets, String currentId) {
    Map<String, AuditKey> keys = new LinkedHashMap<>();
    base64Secrets.forEach((id, secret) -> {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(secret.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("audit key '" + id + "' is not valid base64", e);
      }
      keys.put(id, new AuditKey(id, bytes));
    });
    if (currentId == null || !keys.containsKey(currentId)) {
      throw new IllegalArgumentException("the current audit key '" + currentId
          + "' is not among the configured keys " + keys.keySet()
          + ": set relay.audit.current-key-id to one of them");
    }
    AuditKey current = keys.get(currentId);
    return new AuditKeys() {
      @Override
      public AuditKey current() {
        return current;
      }

      @Override
      public Optional<AuditKey> byId(String id) {
        return Optional.ofNullable(keys.get(id));
      }
    };
  }

  /**
   * Keys from a properties file: {@code current=<id>} and one {@code key.<id>=<base64>} per key.
   * The standalone verifier reads the same file.
   */
  static AuditKeys fromFile(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit key file " + file, e);
    }
    Map<String, String> secrets = new LinkedHashMap<>();
    p.stringPropertyNames().stream().filter(n -> n.startsWith("key.")).sorted()
        .forEach(n -> secrets.put(n.substring(4), p.getProperty(n)));
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("the audit key file " + file
          + " has no key.<id>=<base64> line");
    }
    String current = p.getProperty("current");
    if (current == null && secrets.size() == 1) {
      current = secrets.keySet().iterator().next();
    }
    return of(secrets, current);
  }

  /** The publicly known key of local stacks and tests. Never use it in production. */
  static AuditKeys localDevelopment() {
    return of(Map.of(LOCAL_DEV_KEY_ID, LOCAL_DEV_SECRET), LOCAL_DEV_KEY_ID);
  }
}
