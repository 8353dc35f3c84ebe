package dev.relay.systemtests.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * JSON in and out of the tests (Jackson 2, which the Temporal SDK brings anyway). Null fields are
 * left out, as the API's contract asks: an explicit null is a 400 there (omit the field instead).
 */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper().setDefaultPropertyInclusion(
      JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL));

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON for " + value, e);
    }
  }

  /** The parsed body, or a missing node when it is empty or not JSON. */
  public static JsonNode read(String text) {
    if (text == null || text.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return MissingNode.getInstance();
    }
  }
}
