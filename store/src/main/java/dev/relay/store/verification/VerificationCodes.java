package dev.relay.store.verification;

import dev.relay.store.audit.AuditKey;
import dev.relay.store.audit.AuditKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One-time codes of contact verifications: drawn with {@link SecureRandom}, kept only as
 * HMAC-SHA256 under a key derived from an audit key (shared by the worker, which draws and sends
 * the code, and the API, which checks it; never in the database). A 6-digit code has only 10^6
 * values, so a plain or salted hash in the table could be reversed by anyone who reads it; a keyed
 * one cannot. The MAC also covers the verification ID, so a hash is worthless for any other
 * verification.
 */
public final class VerificationCodes {
  public static final int DIGITS = 6;
  private static final byte[] DOMAIN =
      "relay-contact-verification-v1".getBytes(StandardCharsets.UTF_8);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final AuditKeys keys;

  public VerificationCodes(AuditKeys keys) {
    this.keys = keys;
  }

  /** A fresh code of {@link #DIGITS} digits, leading zeros kept. */
  public static String draw() {
    return String.format("%06d", RANDOM.nextInt(1_000_000));
  }

  /** The MAC of {@code code} for this verification, under the current key. */
  public Hashed hash(String verificationId, String code) {
    AuditKey key = keys.current();
    return new Hashed(key.id(), HexFormat.of().formatHex(mac(key, verificationId, code)));
  }

  /** Whether {@code code} is the one hashed (constant-time; false when the key is gone). */
  public boolean matches(String verificationId, String code, String keyId, String codeHash) {
    if (code == null || keyId == null || codeHash == null) {
      return false;
    }
    Optional<AuditKey> key = keys.byId(keyId);
    if (key.isEmpty()) {
      return false;
    }
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(codeHash);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(mac(key.get(), verificationId, code), expected);
  }

  public record Hashed(String keyId, String hash) {}

  private static byte[] mac(AuditKey key, String verificationId, String code) {
    try {
      // A key of its own, derived from the audit key: the two uses never share a MAC.
      Mac derive = Mac.getInstance("HmacSHA256");
      derive.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
      byte[] derived = derive.doFinal(DOMAIN);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(derived, "HmacSHA256"));
      return mac.doFinal((verificationId + "\0" + code).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
