package dev.relay.codec;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * One AES-256 key of a {@link Keyring}: its ID (written, in clear, into every payload it seals)
 * and its 32 bytes of key material. {@link #toString()} never shows the material.
 */
public record PayloadKey(String id, byte[] material) {
  /** Key IDs travel in payload metadata and logs: short, printable, no separators. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  public static final int SIZE_BYTES = 32;

  public PayloadKey {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("payload key ID '" + id + "' must be 1-64 characters of "
          + "letters, digits, '.', '_' or '-'");
    }
    if (material == null || material.length != SIZE_BYTES) {
      throw new IllegalArgumentException("payload key '" + id + "' must be " + SIZE_BYTES
          + " bytes (AES-256), base64 encoded; it has " + (material == null ? 0 : material.length)
          + " (make one with: head -c 32 /dev/urandom | base64)");
    }
    material = material.clone();
  }

  @Override
  public byte[] material() {
    return material.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PayloadKey k && k.id.equals(id) && Arrays.equals(k.material, material);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "PayloadKey[" + id + "]";
  }
}
