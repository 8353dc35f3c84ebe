package dev.relay.store.consent;

import dev.relay.store.audit.AuditKey;
import dev.relay.store.audit.AuditKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed one-click unsubscribe tokens (RFC 8058): {@code <payload>.<key id>.<mac>}, where the
 * payload names tenant, recipient and purpose and the MAC is HMAC-SHA256 under a key derived from
 * the audit key of that ID. The audit keys are already shared by the worker (which writes the
 * link into the email) and the API (which honours it) and are never in the database, so nobody
 * can forge a token for someone else's consent. Tokens name the tenant's own IDs, never an
 * address. They do not expire: an unsubscribe link must keep working for as long as the mail is
 * read; they stop working only when the audit key they name is removed.
 */
public final class UnsubscribeTokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final byte[] DOMAIN = "relay-unsubscribe-v1".getBytes(StandardCharsets.UTF_8);

  private final AuditKeys keys;

  public UnsubscribeTokens(AuditKeys keys) {
    this.keys = keys;
  }

  public String issue(PurposeRepository.UnsubscribeTarget target) {
    AuditKey key = keys.current();
    String payload = B64.encodeToString(String.join("\0", target.tenantId(), target.recipientId(),
        target.purpose()).getBytes(StandardCharsets.UTF_8));
    return payload + "." + key.id() + "." + B64.encodeToString(mac(key, payload));
  }

  /** The target of a genuine token; empty for anything forged, altered or malformed. */
  public Optional<PurposeRepository.UnsubscribeTarget> verify(String token) {
    if (token == null || token.length() > 2000) {
      return Optional.empty();
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    Optional<AuditKey> key = keys.byId(parts[1]);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    try {
      if (!MessageDigest.isEqual(mac(key.get(), parts[0]), B64D.decode(parts[2]))) {
        return Optional.empty();
      }
      String[] fields = new String(B64D.decode(parts[0]), StandardCharsets.UTF_8).split("\0", -1);
      return fields.length == 3
          ? Optional.of(new PurposeRepository.UnsubscribeTarget(fields[0], fields[1], fields[2]))
          : Optional.empty();
    } catch (IllegalArgumentException malformed) {
      return Optional.empty();
    }
  }

  private static byte[] mac(AuditKey key, String payload) {
    try {
      // A key of its own, derived from the audit key: the two uses never share a MAC.
      Mac derive = Mac.getInstance("HmacSHA256");
      derive.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
      byte[] derived = derive.doFinal(DOMAIN);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(derived, "HmacSHA256"));
      return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
