package dev.relay.activities.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature (https://www.standardwebhooks.com): {@code v1,} + base64 of
 * HMAC-SHA256 over {@code <webhook-id>.<webhook-timestamp>.<body>}, keyed with the secret's
 * base64-decoded bytes (the part after {@code whsec_}). Receivers can check it with any Standard
 * Webhooks library.
 */
public final class WebhookSignature {
  public static final String SECRET_PREFIX = "whsec_";

  private WebhookSignature() {}

  /** The {@code webhook-signature} header value. */
  public static String sign(String secret, String id, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
      byte[] digest = mac.doFinal((id + "." + timestampSeconds + "." + body)
          .getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by the JDK", e);
    }
  }

  static byte[] key(String secret) {
    String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
    return Base64.getDecoder().decode(encoded);
  }
}
