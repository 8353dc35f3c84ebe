package dev.relay.api.deliveries;

import dev.relay.contracts.DeliveryIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Canonical JSON: object keys sorted at every depth, no insignificant whitespace. Two requests
 * that mean the same thing serialize to the same text, so its SHA-256 is the request hash.
 */
public final class CanonicalJson {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private CanonicalJson() {}

  public static String write(Object value) {
    return MAPPER.writeValueAsString(sorted(value));
  }

  public static String sha256(String canonicalJson) {
    return DeliveryIds.sha256Hex(canonicalJson);
  }

  public static Map<String, Object> readObject(String json) {
    return MAPPER.readValue(json, new TypeReference<Map<String, Object>>() {});
  }

  @SuppressWarnings("unchecked")
  private static Object sorted(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new TreeMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), sorted(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(v -> out.add(sorted(v)));
      return out;
    }
    return value;
  }
}
