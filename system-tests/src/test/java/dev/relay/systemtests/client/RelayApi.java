package dev.relay.systemtests.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A thin client of Relay's REST API ({@code /v1}) on java.net.http, authenticated with one API
 * key. Each call returns the raw {@link ApiResponse}; callers state the status they expect.
 */
public final class RelayApi {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final String baseUrl;
  private final String apiKey;
  private final HttpClient http;

  public RelayApi(String baseUrl, String apiKey) {
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
    this.http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  // ------------------------------------------------------------------ deliveries

  public ApiResponse createDelivery(String idempotencyKey, Map<String, ?> body) {
    return send("POST", "/v1/deliveries", json(body), Map.of("Idempotency-Key", idempotencyKey));
  }

  public ApiResponse delivery(String deliveryId) {
    return send("GET", "/v1/deliveries/" + deliveryId, null, Map.of());
  }

  public ApiResponse deliveries(String status, String recipientId) {
    StringBuilder q = new StringBuilder("/v1/deliveries?limit=100");
    if (status != null) {
      q.append("&status=").append(enc(status));
    }
    if (recipientId != null) {
      q.append("&recipientId=").append(enc(recipientId));
    }
    return send("GET", q.toString(), null, Map.of());
  }

  public ApiResponse audit(String deliveryId) {
    return send("GET", "/v1/deliveries/" + deliveryId + "/audit", null, Map.of());
  }

  /** A support action: RETRY, REROUTE (with channel), CANCEL or MARK_DELIVERED (with evidence). */
  public ApiResponse act(String deliveryId, String action, String reason, String channel,
      String evidence) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("action", action);
    body.put("reason", reason);
    if (channel != null) {
      body.put("channel", channel);
    }
    if (evidence != null) {
      body.put("evidence", evidence);
    }
    return send("POST", "/v1/deliveries/" + deliveryId + "/actions", json(body),
        Map.of("Idempotency-Key", "act-" + UUID.randomUUID()));
  }

  // ------------------------------------------------------------------ recipients and consent

  /** PUT a recipient with an email address and/or a phone number (null leaves the channel out). */
  public ApiResponse putRecipient(String id, String displayName, String email, String phone) {
    List<Map<String, Object>> contacts = new java.util.ArrayList<>();
    if (email != null) {
      contacts.add(Map.of("channel", "EMAIL", "address", email, "verified", true));
    }
    if (phone != null) {
      contacts.add(Map.of("channel", "SMS", "address", phone, "verified", true));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("displayName", displayName);
    body.put("active", true);
    body.put("contacts", contacts);
    return send("PUT", "/v1/recipients/" + id, json(body), Map.of());
  }

  public ApiResponse recipient(String id) {
    return send("GET", "/v1/recipients/" + id, null, Map.of());
  }

  /** A new consent version: per channel granted (true) or withdrawn (false). */
  public ApiResponse putConsent(String recipientId, String purpose, Map<String, Boolean> channels,
      String source, String evidence) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("channels", channels);
    body.put("source", source);
    if (evidence != null) {
      body.put("evidence", evidence);
    }
    return send("PUT", "/v1/recipients/" + recipientId + "/consents/" + purpose, json(body), Map.of());
  }

  public ApiResponse consent(String recipientId, String purpose) {
    return send("GET", "/v1/recipients/" + recipientId + "/consents/" + purpose, null, Map.of());
  }

  // ------------------------------------------------------------------ templates and documents

  public ApiResponse putTemplate(String id, String subject, String textBody, String htmlBody,
      String smsBody) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("subject", subject);
    body.put("textBody", textBody);
    body.put("htmlBody", htmlBody);
    body.put("smsBody", smsBody);
    return send("PUT", "/v1/templates/" + id, json(body), Map.of());
  }

  public ApiResponse template(String id) {
    return send("GET", "/v1/templates/" + id, null, Map.of());
  }

  /** POST /v1/documents as multipart/form-data with one part named {@code file}. */
  public ApiResponse uploadDocument(String filename, String contentType, byte[] content) {
    String boundary = "relay-systest-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String head = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n"
        + "Content-Type: " + contentType + "\r\n\r\n";
    body.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return send("POST", "/v1/documents",
        HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()),
        Map.of("Content-Type", "multipart/form-data; boundary=" + boundary));
  }

  public ApiResponse document(String id) {
    return send("GET", "/v1/documents/" + id, null, Map.of());
  }

  // ------------------------------------------------------------------ plumbing

  private static HttpRequest.BodyPublisher json(Object body) {
    return HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  public ApiResponse send(String method, String path, HttpRequest.BodyPublisher body,
      Map<String, String> headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + apiKey)
        .header("Accept", "application/json, application/problem+json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
    boolean contentTypeGiven = headers.keySet().stream().anyMatch("Content-Type"::equalsIgnoreCase);
    if (body != null && !contentTypeGiven) {
      builder.header("Content-Type", "application/json");
    }
    headers.forEach(builder::header);
    String what = method + " " + path;
    try {
      HttpResponse<String> response = http.send(builder.build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new ApiResponse(what, response.statusCode(), response.headers(), response.body(),
          Json.read(response.body()));
    } catch (IOException e) {
      throw new IllegalStateException(what + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }

  /** Convenience: the JSON body of a response that must be 2xx. */
  public static JsonNode ok(ApiResponse response) {
    if (response.status() / 100 != 2) {
      throw new AssertionError(response.toString());
    }
    return response.body();
  }
}
