package dev.relay.api.config;

import dev.relay.store.audit.AuditKeys;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The audit trail's HMAC keys ({@code relay.audit.*}), the same as the worker's: the API checks
 * each row of a delivery's trail against them.
 *
 * @param keyFile a properties file with {@code current=<id>} and {@code key.<id>=<base64>}; when
 *     set it replaces {@code keys} and {@code currentKeyId}
 */
@ConfigurationProperties("relay.audit")
public record AuditKeyProperties(
    String keyFile,
    Map<String, String> keys,
    @DefaultValue(AuditKeys.LOCAL_DEV_KEY_ID) String currentKeyId) {

  public AuditKeyProperties {
    keys = keys == null || keys.isEmpty()
        ? Map.of(AuditKeys.LOCAL_DEV_KEY_ID, AuditKeys.LOCAL_DEV_SECRET) : Map.copyOf(keys);
  }

  public AuditKeys auditKeys() {
    return keyFile != null && !keyFile.isBlank() ? AuditKeys.fromFile(Path.of(keyFile))
        : AuditKeys.of(keys, currentKeyId);
  }
}
