package dev.relay.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.systemtests.client.ApiResponse;
import dev.relay.systemtests.client.RelayApi;
import dev.relay.systemtests.stack.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the system tests do over and over with deliveries, as a user of the API would. */
final class Deliveries {
  static final Set<String> FINAL = Set.of("DELIVERED", "REJECTED", "CANCELLED", "EXPIRED");

  private Deliveries() {}

  /** A recipient with the given contact points and a consent version for {@code purpose}. */
  static void recipient(RelayApi api, String id, String email, String phone, String purpose,
      Map<String, Boolean> consent) {
    api.putRecipient(id, "Recipient " + id, email, phone).expect(200, 201);
    if (consent != null && !consent.isEmpty()) {
      api.putConsent(id, purpose, consent, "system-test", "granted in " + id + " setup")
          .expect(200, 201);
    }
  }

  static Map<String, Object> request(String recipientId, String purpose, String templateId,
      Map<String, Object> variables, List<String> channels, List<String> documentIds) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("recipientId", recipientId);
    body.put("purpose", purpose);
    body.put("templateId", templateId);
    body.put("variables", variables);
    if (channels != null) {
      body.put("channels", channels);
    }
    if (documentIds != null) {
      body.put("documentIds", documentIds);
    }
    return body;
  }

  /** POSTs a delivery, expects 202 and a Location, returns the delivery ID. */
  static String accept(RelayApi api, String idempotencyKey, Map<String, Object> body) {
    ApiResponse response = api.createDelivery(idempotencyKey, body);
    JsonNode accepted = response.expect(202);
    String id = accepted.path("deliveryId").asText(null);
    assertThat(id).as("deliveryId of %s", response).isNotBlank();
    assertThat(response.header("Location")).as("Location of %s", response).endsWith("/v1/deliveries/" + id);
    return id;
  }

  static JsonNode view(RelayApi api, String deliveryId) {
    return api.delivery(deliveryId).expect(200);
  }

  static String status(RelayApi api, String deliveryId) {
    return view(api, deliveryId).path("status").asText();
  }

  /** Waits until the delivery is in one of {@code statuses}; fails early on another final one. */
  static JsonNode awaitStatus(RelayApi api, String deliveryId, Duration timeout, String... statuses) {
    Set<String> wanted = Set.of(statuses);
    return Poll.until("delivery " + deliveryId + " to be " + wanted, timeout, () -> {
      JsonNode view = view(api, deliveryId);
      String status = view.path("status").asText();
      if (!wanted.contains(status) && FINAL.contains(status)) {
        throw new AssertionError("delivery " + deliveryId + " ended " + status + " (reason: "
            + view.path("reason").asText() + "), expected " + wanted + "; " + view);
      }
      return view;
    }, view -> wanted.contains(view.path("status").asText()));
  }

  /** The delivery's audit trail; asserts the tenant's hash chain verifies. */
  static List<JsonNode> audit(RelayApi api, String deliveryId) {
    JsonNode trail = api.audit(deliveryId).expect(200);
    assertThat(trail.path("chainIntact").asBoolean(false))
        .as("audit hash chain intact for %s", deliveryId).isTrue();
    List<JsonNode> events = new ArrayList<>();
    trail.path("events").forEach(events::add);
    return events;
  }

  static List<JsonNode> events(List<JsonNode> audit, String step, String... outcomes) {
    List<String> wanted = Arrays.asList(outcomes);
    return audit.stream()
        .filter(e -> step.equals(e.path("step").asText()))
        .filter(e -> wanted.isEmpty() || wanted.contains(e.path("outcome").asText()))
        .toList();
  }

  /** Whether an accepted send was answered from the send ledger (an earlier try had sent it). */
  static boolean fromLedger(JsonNode sendEvent) {
    return sendEvent.path("detail").asText().contains("from send ledger");
  }

  /** One line per event, for assertion messages. */
  static String describe(List<JsonNode> audit) {
    StringBuilder b = new StringBuilder();
    for (JsonNode e : audit) {
      b.append("\n  #").append(e.path("sequence").asText()).append(' ')
          .append(e.path("status").asText()).append(' ')
          .append(e.path("step").asText()).append('/').append(e.path("outcome").asText())
          .append(" by ").append(e.path("actor").asText())
          .append(" [").append(e.path("channel").asText()).append("] ")
          .append(e.path("detail").asText());
    }
    return b.toString();
  }
}
