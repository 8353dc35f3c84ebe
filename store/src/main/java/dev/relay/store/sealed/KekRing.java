package dev.relay.store.sealed;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The key-encryption keys (KEKs) a process knows, by ID. Each is a Tink {@link Aead}: built here
 * from 32 bytes of configured key material, or a KMS's remote AEAD (a {@link KekProvider} for a
 * KMS returns those, so the KEK never enters the process). The primary KEK wraps new data keys;
 * every KEK of the ring unwraps what it wrapped.
 */
public final class KekRing {
  /** KEK IDs are written in clear into every wrapped data key: short and printable. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public static final int KEY_BYTES = 32;

  /**
   * The built-in development KEK. PUBLIC (it is in the source): data it protects is protected
   * from nobody. Only for tests and a bare local run; relay.at-rest.required=true refuses it.
   */
  public static final String LOCAL_DEV_ID = "local-dev-kek-1";

  private static final String LOCAL_DEV_MATERIAL = "cmVsYXktbG9jYWwtZGV2LWtlay1QVUJMSUMtMDAwMDA="; // 32 bytes

  private final Map<String, Aead> keks;
  private final String primaryId;

  /**
   * @param keks every known KEK by ID, in order
   * @param primaryId the KEK new data keys are wrapped with; null: the last one
   */
  public KekRing(Map<String, Aead> keks, String primaryId) {
    if (keks == null || keks.isEmpty()) {
      throw new IllegalArgumentException("a KEK ring needs at least one key");
    }
    keks.keySet().forEach(id -> {
      if (id == null || !ID.matcher(id).matches()) {
        throw new IllegalArgumentException("KEK ID '" + id + "' must be 1-64 characters of "
            + "letters, digits, '.', '_' or '-'");
      }
    });
    this.keks = new LinkedHashMap<>(keks);
    List<String> ids = List.copyOf(this.keks.keySet());
    if (primaryId == null || primaryId.isBlank()) {
      primaryId = ids.get(ids.size() - 1);
    } else if (!this.keks.containsKey(primaryId)) {
      throw new IllegalArgumentException("the primary KEK '" + primaryId
          + "' is not in the ring (known: " + String.join(", ", ids) + ")");
    }
    this.primaryId = primaryId;
  }

  public String primaryId() {
    return primaryId;
  }

  public Aead primary() {
    return keks.get(primaryId);
  }

  public Optional<Aead> find(String id) {
    return Optional.ofNullable(keks.get(id));
  }

  public List<String> ids() {
    return List.copyOf(keks.keySet());
  }

  public boolean primaryIsLocalDevelopment() {
    return LOCAL_DEV_ID.equals(primaryId);
  }

  /**
   * This ring plus {@code other}'s keys it does not have, for unwrapping only (the primary stays).
   * Lets a database started on the development KEK move to a real one: its old data keys still
   * open and are re-wrapped with the new primary.
   */
  public KekRing withReadOnly(KekRing other) {
    Map<String, Aead> all = new LinkedHashMap<>(other.keks);
    all.putAll(keks);
    return new KekRing(all, primaryId);
  }

  /** The public development KEK (see {@link #LOCAL_DEV_ID}). */
  public static KekRing localDevelopment() {
    return new KekRing(
        Map.of(LOCAL_DEV_ID, aesGcm(LOCAL_DEV_ID, Base64.getDecoder().decode(LOCAL_DEV_MATERIAL))),
        LOCAL_DEV_ID);
  }

  /**
   * Reads the text form shared with relay.codec keys: entries {@code <kek-id>:<base64 of 32
   * bytes>}, separated by commas or line breaks; blank lines and {@code #} lines are ignored.
   *
   * @param source where the text came from, named in errors (never the text: it is secret)
   */
  public static KekRing parse(String text, String primaryId, String source) {
    Map<String, Aead> keks = new LinkedHashMap<>();
    int entry = 0;
    for (String line : (text == null ? "" : text).split("\\R")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      for (String part : trimmed.split(",")) {
        String item = part.strip();
        if (item.isEmpty()) {
          continue;
        }
        entry++;
        int colon = item.indexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("entry " + entry + " of the KEK ring in " + source
              + " is not '<kek-id>:<base64 key>'");
        }
        String id = item.substring(0, colon).strip();
        byte[] material;
        try {
          material = Base64.getDecoder().decode(item.substring(colon + 1).strip());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("KEK '" + id + "' in " + source
              + " is not valid base64", e);
        }
        if (!ID.matcher(id).matches()) {
          throw new IllegalArgumentException("KEK ID '" + id + "' in " + source + " must be 1-64 "
              + "characters of letters, digits, '.', '_' or '-'");
        }
        if (keks.put(id, aesGcm(id + " (in " + source + ")", material)) != null) {
          throw new IllegalArgumentException("KEK ID '" + id + "' appears twice in " + source);
        }
      }
    }
    if (keks.isEmpty()) {
      throw new IllegalArgumentException("the KEK ring in " + source + " has no key; add a line "
          + "'<kek-id>:<base64 of 32 random bytes>'");
    }
    return new KekRing(keks, primaryId == null || primaryId.isBlank() ? null : primaryId.strip());
  }

  /** AES-256-GCM (Tink) over raw key material: random 12-byte nonce, 16-byte tag. */
  static Aead aesGcm(String name, byte[] material) {
    if (material == null || material.length != KEY_BYTES) {
      throw new IllegalArgumentException("key " + name + " must be " + KEY_BYTES + " bytes "
          + "(AES-256), base64 encoded; it has " + (material == null ? 0 : material.length)
          + " (make one with: head -c 32 /dev/urandom | base64)");
    }
    try {
      AesGcmParameters parameters = AesGcmParameters.builder()
          .setKeySizeBytes(KEY_BYTES)
          .setIvSizeBytes(12)
          .setTagSizeBytes(16)
          .setVariant(AesGcmParameters.Variant.NO_PREFIX)
          .build();
      return AesGcmJce.create(AesGcmKey.builder()
          .setParameters(parameters)
          .setKeyBytes(SecretBytes.copyFrom(material, InsecureSecretKeyAccess.get()))
          .build());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("key " + name + " cannot be used for AES-256-GCM: "
          + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "KekRing" + ids() + " primary " + primaryId;
  }
}
