package dev.relay.codec;

import java.security.SecureRandom;
import java.util.Base64;

final class TestKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  static PayloadKey key(String id) {
    byte[] material = new byte[PayloadKey.SIZE_BYTES];
    RANDOM.nextBytes(material);
    return new PayloadKey(id, material);
  }

  static String line(PayloadKey key) {
    return key.id() + ":" + Base64.getEncoder().encodeToString(key.material());
  }

  private TestKeys() {}
}
