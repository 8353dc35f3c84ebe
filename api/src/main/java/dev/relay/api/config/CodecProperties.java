package dev.relay.api.config;

import dev.relay.codec.CodecSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code relay.codec.*}: the payload keys this API seals workflow inputs, updates and signals
 * with (the same keyring as the worker's). Encryption is on when a key is configured; without
 * one the API starts (with a warning) unless {@code required} is true.
 */
@ConfigurationProperties("relay.codec")
public record CodecProperties(String keys, String keyFile, String primaryKeyId, boolean required) {

  public CodecSettings settings() {
    return new CodecSettings(keys, keyFile, primaryKeyId, required);
  }
}
