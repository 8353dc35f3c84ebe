package dev.relay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small JSON-over-HTTP client on java.net.http, shared by all benchmark threads. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  record Response(int status, String body) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  Response get(URI uri, String apiKey) throws IOException, InterruptedException {
    return send(request(uri, apiKey).GET());
  }

  /** GET of a plain-text resource (Prometheus), with its own timeout. */
  Response getText(URI uri, Duration timeout) throws IOException, InterruptedException {
    return send(request(uri, null).setHeader("Accept", "text/plain").timeout(timeout).GET());
  }

  Response put(URI uri, String apiKey, Object body) throws IOException, InterruptedException {
    return send(request(uri, apiKey).PUT(json(body)));
  }

  Response post(URI uri, String apiKey, String idempotencyKey, Object body)
      throws IOException, InterruptedException {
    return post(uri, apiKey, idempotencyKey, body, Duration.ofSeconds(30));
  }

  /** POST with its own timeout (a batch of 1000 takes longer than one delivery); no key: no header. */
  Response post(URI uri, String apiKey, String idempotencyKey, Object body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(uri, apiKey).timeout(timeout);
    if (idempotencyKey != null) {
      b.header("Idempotency-Key", idempotencyKey);
    }
    return send(b.POST(json(body)));
  }

  /** DELETE without a body; the status is the caller's to check. */
  Response delete(URI uri) throws IOException, InterruptedException {
    return send(request(uri, null).DELETE());
  }

  /** GET that must answer 200. */
  JsonNode getJson(URI uri) throws IOException, InterruptedException {
    return expect(200, get(uri, null), uri).json();
  }

  static Response expect(int status, Response response, Object what) {
    if (response.status() != status) {
      throw new IllegalStateException(what + " answered " + response.status() + ": "
          + response.body().substring(0, Math.min(300, response.body().length())));
    }
    return response;
  }

  private static HttpRequest.Builder request(URI uri, String apiKey) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("Accept", "application/json");
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json");
    }
    return b;
  }

  private static HttpRequest.BodyPublisher json(Object body) throws IOException {
    return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
  }

  private Response send(HttpRequest.Builder b) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }
}
