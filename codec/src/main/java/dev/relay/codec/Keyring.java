package dev.relay.codec;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The payload keys a process knows. New payloads are sealed with the primary key; any key of the
 * ring opens the payloads sealed with it. Rotation: add a new key everywhere, then make it the
 * primary, and drop an old key only once no retained history holds payloads sealed with it
 * (docs/runbooks/payload-keys.md).
 *
 * @param keys every known key, in the order given
 * @param primaryId the key new payloads are sealed with; null means the last key listed (a new
 *     key appended to the ring becomes the primary)
 */
public record Keyring(List<PayloadKey> keys, String primaryId) {

  public Keyring {
    if (keys == null || keys.isEmpty()) {
      throw new IllegalArgumentException("a payload keyring needs at least one key");
    }
    keys = List.copyOf(keys);
    Map<String, PayloadKey> byId = new LinkedHashMap<>();
    for (PayloadKey key : keys) {
      if (byId.put(key.id(), key) != null) {
        throw new IllegalArgumentException("payload key ID '" + key.id() + "' appears twice in the "
            + "keyring; every key needs its own ID");
      }
    }
    if (primaryId == null || primaryId.isBlank()) {
      primaryId = keys.get(keys.size() - 1).id();
    } else if (!byId.containsKey(primaryId)) {
      throw new IllegalArgumentException("the primary payload key '" + primaryId
          + "' is not in the keyring (known: " + String.join(", ", byId.keySet()) + ")");
    }
  }

  public Keyring(List<PayloadKey> keys) {
    this(keys, null);
  }

  public PayloadKey primary() {
    return find(primaryId).orElseThrow();
  }

  public Optional<PayloadKey> find(String id) {
    return keys.stream().filter(k -> k.id().equals(id)).findFirst();
  }

  public List<String> ids() {
    return keys.stream().map(PayloadKey::id).toList();
  }

  /**
   * Reads the text form: entries {@code <key-id>:<base64 of 32 bytes>}, separated by commas or
   * line breaks; blank lines and lines starting with {@code #} are ignored. The same form is used
   * inline (relay.codec.keys, RELAY_CODEC_KEYS) and in a key file (relay.codec.key-file).
   *
   * @param source where the text came from, named in errors (never the text itself: it is secret)
   */
  public static Keyring parse(String text, String primaryId, String source) {
    List<PayloadKey> keys = new ArrayList<>();
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
          throw new IllegalArgumentException("entry " + entry + " of the payload keyring in " + source
              + " is not '<key-id>:<base64 key>'");
        }
        String id = item.substring(0, colon).strip();
        byte[] material;
        try {
          material = Base64.getDecoder().decode(item.substring(colon + 1).strip());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("payload key '" + id + "' in " + source
              + " is not valid base64", e);
        }
        try {
          keys.add(new PayloadKey(id, material));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(e.getMessage() + " (in " + source + ")", e);
        }
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("the payload keyring in " + source + " has no key; "
          + "add a line '<key-id>:<base64 of 32 random bytes>'");
    }
    return new Keyring(keys, primaryId);
  }

  @Override
  public String toString() {
    return "Keyring" + ids() + " primary " + primaryId;
  }
}
