package dev.relay.api.config;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code relay.codec-server.*}: Temporal's remote codec protocol on {@code /codec} (encode,
 * decode) for the Web UI and the {@code temporal} CLI.
 *
 * @param allowedOrigins browser origins (the Temporal Web UI) that may call the codec with
 *     credentials; {@code ./relay up} sets the local UI's
 * @param sessionTtl how long a Web UI sign-in ({@code /codec/login}) lasts
 * @param sessionKey base64 of 32 bytes sealing the sign-in cookies; blank: a random key per
 *     process (sign-ins end with a restart; set one shared key when several API processes serve)
 * @param sessionSameSite the cookie's SameSite: Strict when the UI and the API share a site
 *     (localhost, or two hosts of one domain); None (with HTTPS) otherwise
 * @param maxPayloads payloads one request may carry
 */
@ConfigurationProperties("relay.codec-server")
public record CodecServerProperties(
    @DefaultValue("http://localhost:8233,http://127.0.0.1:8233") List<String> allowedOrigins,
    @DefaultValue("8h") Duration sessionTtl,
    String sessionKey,
    @DefaultValue("Strict") String sessionSameSite,
    @DefaultValue("1000") int maxPayloads) {

  public CodecServerProperties {
    allowedOrigins = allowedOrigins == null ? List.of()
        : allowedOrigins.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    sessionTtl = sessionTtl == null || sessionTtl.isNegative() || sessionTtl.isZero()
        ? Duration.ofHours(8) : sessionTtl;
    sessionSameSite = sessionSameSite == null || sessionSameSite.isBlank() ? "Strict" : sessionSameSite;
    maxPayloads = maxPayloads > 0 ? maxPayloads : 1000;
  }
}
