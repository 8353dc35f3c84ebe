package dev.relay.worker;

import dev.relay.store.sealed.AtRestSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code relay.at-rest.*}: the key-encryption keys (KEKs) that wrap the data keys sealing
 * sensitive columns in PostgreSQL; the same in the API and the worker. Without a key the public
 * development KEK is used (with a warning) unless {@code required} is true.
 *
 * @param keys {@code <kek-id>:<base64 of 32 bytes>} entries, comma separated (RELAY_ATREST_KEYS)
 * @param keyFile the same entries, one per line (RELAY_ATREST_KEYFILE; ./relay up writes
 *     .relay/at-rest-keys)
 * @param primaryKeyId the KEK that wraps new data keys; blank: the last one listed
 * @param required refuse to start without a configured KEK (every deployment)
 * @param maintainOnStart after start, seal rows written before encryption at rest (backfill)
 *     and re-wrap data keys still under an older KEK, in the background (worker only)
 */
@ConfigurationProperties("relay.at-rest")
public record AtRestProperties(String keys, String keyFile, String primaryKeyId, boolean required,
    @DefaultValue("true") boolean maintainOnStart) {

  public AtRestSettings settings() {
    return new AtRestSettings(keys, keyFile, primaryKeyId, required);
  }
}
