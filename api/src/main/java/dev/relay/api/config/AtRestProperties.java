package dev.relay.api.config;

import dev.relay.store.sealed.AtRestSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

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
 */
@ConfigurationProperties("relay.at-rest")
public record AtRestProperties(String keys, String keyFile, String primaryKeyId, boolean required) {

  public AtRestSettings settings() {
    return new AtRestSettings(keys, keyFile, primaryKeyId, required);
  }
}
