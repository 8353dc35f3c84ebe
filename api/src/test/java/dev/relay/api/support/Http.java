package dev.relay.api.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for the API under test (java.net.http, no Spring test client). */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NORMAL)
      .build();
  public static final JsonMapper JSON = JsonMapper.builder().build();

  private final String base;

  public Http(String base) {
    this.base = base;
  }

  public record Reply(int status, java.net.http.HttpHeaders headers, String body) {
    public JsonNode json() {
      return JSON.readTree(body);
    }

    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    public String contentType() {
      return header("Content-Type").orElse("");
    }

    /** The {@code field} names of a problem's {@code errors}. */
    public List<String> errorFields() {
      return json().path("errors").valueStream().map(e -> e.path("field").asString()).toList();
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  public Reply get(String path, String apiKey, String... headers) {
    return send("GET", path, apiKey, null, (String) null, headers);
  }

  public Reply post(String path, String apiKey, String json, String... headers) {
    return send("POST", path, apiKey, "application/json", json, headers);
  }

  public Reply put(String path, String apiKey, String json, String... headers) {
    return send("PUT", path, apiKey, "application/json", json, headers);
  }

  public Reply send(String method, String path, String apiKey, String contentType, String body,
      String... headers) {
    return send(method, path, apiKey, contentType,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
  }

  public Reply send(String method, String path, String apiKey, String contentType, byte[] body,
      String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      if (headers[i + 1] != null) {
        b.header(headers[i], headers[i + 1]);
      }
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
