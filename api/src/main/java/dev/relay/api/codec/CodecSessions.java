package dev.relay.api.codec;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import dev.relay.api.config.CodecServerProperties;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Web UI sign-ins for the codec server. The Temporal Web UI cannot send an API key to a codec
 * server (it sends an OIDC token, and only over HTTPS); with "include cross-origin credentials"
 * it sends cookies. So an operator signs in once at {@code /codec/login} with a support or admin
 * key and gets a cookie that holds that key and an expiry, sealed with AES-GCM (Tink): the
 * browser cannot read it, nobody can forge one, and every request re-checks the key, so a
 * revoked key ends its sessions at once. Stateless, so any API process with the same
 * {@code relay.codec-server.session-key} accepts it.
 */
@Component
public class CodecSessions {
  public static final String COOKIE = "relay_codec_session";
  private static final byte[] AD = "relay-codec-session/v1".getBytes(StandardCharsets.UTF_8);

  private final Aead aead;
  private final Duration ttl;

  public CodecSessions(CodecServerProperties properties) {
    this.ttl = properties.sessionTtl();
    this.aead = aead(properties.sessionKey());
  }

  public Duration ttl() {
    return ttl;
  }

  /** A cookie value for this key, valid until now + ttl. */
  public String issue(String apiKey, Instant now) {
    String plain = now.plus(ttl).getEpochSecond() + "\n" + apiKey;
    try {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(aead.encrypt(plain.getBytes(StandardCharsets.UTF_8), AD));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a codec session", e);
    }
  }

  /** The API key in a cookie value, unless it is forged, altered or expired. */
  public Optional<String> open(String cookie, Instant now) {
    if (cookie == null || cookie.isBlank() || cookie.length() > 2048) {
      return Optional.empty();
    }
    try {
      String plain = new String(aead.decrypt(Base64.getUrlDecoder().decode(cookie), AD),
          StandardCharsets.UTF_8);
      int nl = plain.indexOf('\n');
      long expires = Long.parseLong(plain.substring(0, nl));
      return now.getEpochSecond() < expires ? Optional.of(plain.substring(nl + 1)) : Optional.empty();
    } catch (GeneralSecurityException | IllegalArgumentException | IndexOutOfBoundsException e) {
      return Optional.empty();
    }
  }

  private static Aead aead(String configuredKey) {
    try {
      SecretBytes material = configuredKey == null || configuredKey.isBlank()
          ? SecretBytes.randomBytes(32)
          : SecretBytes.copyFrom(decode(configuredKey), InsecureSecretKeyAccess.get());
      return AesGcmJce.create(AesGcmKey.builder()
          .setParameters(AesGcmParameters.builder().setKeySizeBytes(32).setIvSizeBytes(12)
              .setTagSizeBytes(16).setVariant(AesGcmParameters.Variant.NO_PREFIX).build())
          .setKeyBytes(material)
          .build());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("relay.codec-server.session-key cannot be used: "
          + e.getMessage(), e);
    }
  }

  private static byte[] decode(String base64) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("relay.codec-server.session-key is not base64", e);
    }
    if (bytes.length != 32) {
      throw new IllegalStateException("relay.codec-server.session-key must be 32 bytes, base64 "
          + "encoded (head -c 32 /dev/urandom | base64); it has " + bytes.length);
    }
    return bytes;
  }
}
