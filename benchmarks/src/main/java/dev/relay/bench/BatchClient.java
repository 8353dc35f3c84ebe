package dev.relay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/deliveries/batch}: up to 1000 items a request, each with its own idempotency key;
 * the answer says per item whether it was accepted, replayed or rejected.
 */
final class BatchClient {
  static final int MAX_ITEMS = 1000;

  private final Http http;
  private final URI endpoint;
  private final String apiKey;

  BatchClient(Http http, URI api, String apiKey) {
    this.http = http;
    this.endpoint = api.resolve("/v1/deliveries/batch");
    this.apiKey = apiKey;
  }

  /** The endpoint is not there (yet): the burst mode cannot run and must not pretend to. */
  static final class Unavailable extends Exception {
    Unavailable(String message) {
      super(message);
    }
  }

  /** One item's outcome: accepted, replayed or rejected (problem says why). */
  record ItemResult(int index, String idempotencyKey, String outcome, String deliveryId, String problem) {}

  record Outcome(int accepted, int replayed, int rejected, List<ItemResult> results) {}

  /**
   * Asks without creating anything: an empty batch. A server without the route answers 404 or 405
   * (POST on the /v1/deliveries/{id} GET route); one with it answers 200 or a 400 about the items.
   */
  void probe() throws Exception {
    Http.Response r = http.post(endpoint, apiKey, null, Map.of("items", List.of()));
    if (r.status() == 404 || r.status() == 405) {
      throw new Unavailable("POST " + endpoint + " answered " + r.status()
          + ": the batch API is not in this build of Relay (burst mode needs it)");
    }
  }

  /** Sends one batch; items are maps with idempotencyKey, recipientId, purpose, templateId, variables, channels. */
  Outcome send(List<Map<String, Object>> items) throws Exception {
    if (items.isEmpty() || items.size() > MAX_ITEMS) {
      throw new IllegalArgumentException("a batch holds 1.." + MAX_ITEMS + " items, got " + items.size());
    }
    Http.Response r = http.post(endpoint, apiKey, null, Map.of("items", items), java.time.Duration.ofSeconds(120));
    // 503 = the database failed and nothing was written; every item has its own key, so sending
    // the same request again is safe (at most 3 tries, 1 s apart).
    for (int retry = 1; r.status() == 503 && retry < 3; retry++) {
      Thread.sleep(1000);
      r = http.post(endpoint, apiKey, null, Map.of("items", items), java.time.Duration.ofSeconds(120));
    }
    if (r.status() == 404 || r.status() == 405) {
      throw new Unavailable("POST " + endpoint + " answered " + r.status());
    }
    Http.expect(200, r, "POST /v1/deliveries/batch");
    JsonNode body = r.json();
    List<ItemResult> results = new ArrayList<>();
    for (JsonNode item : body.path("results")) {
      results.add(new ItemResult(item.path("index").asInt(), item.path("idempotencyKey").asText(),
          item.path("outcome").asText(), item.hasNonNull("deliveryId") ? item.get("deliveryId").asText() : null,
          item.hasNonNull("problem") ? item.get("problem").toString() : null));
    }
    if (results.size() != items.size()) {
      throw new IllegalStateException("batch of " + items.size() + " answered " + results.size() + " results");
    }
    return new Outcome(body.path("accepted").asInt(), body.path("replayed").asInt(),
        body.path("rejected").asInt(), results);
  }
}
