package dev.relay.systemtests.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpHeaders;
import java.util.Arrays;

/** One answer of the Relay API: status, headers and the parsed JSON body. */
public record ApiResponse(String request, int status, HttpHeaders headers, String raw, JsonNode body) {

  /** The body, after checking the status is one of {@code expected}. */
  public JsonNode expect(int... expected) {
    if (Arrays.stream(expected).noneMatch(s -> s == status)) {
      throw new AssertionError(request + " answered " + status + ", expected "
          + Arrays.toString(expected) + ": " + raw);
    }
    return body;
  }

  public String header(String name) {
    return headers.firstValue(name).orElse(null);
  }

  @Override
  public String toString() {
    return request + " → " + status + " " + raw;
  }
}
