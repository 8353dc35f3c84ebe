package dev.relay.systemtests;

import static dev.relay.systemtests.Deliveries.accept;
import static dev.relay.systemtests.Deliveries.audit;
import static dev.relay.systemtests.Deliveries.awaitStatus;
import static dev.relay.systemtests.Deliveries.describe;
import static dev.relay.systemtests.Deliveries.events;
import static dev.relay.systemtests.Deliveries.recipient;
import static dev.relay.systemtests.Deliveries.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.SearchAttributes;
import dev.relay.systemtests.client.Json;
import dev.relay.systemtests.client.RelayApi;
import dev.relay.systemtests.stack.Poll;
import dev.relay.systemtests.stack.RelayStack;
import dev.relay.systemtests.stack.StackExtension;
import dev.relay.systemtests.stack.TemporalDevServer.CliResult;
import dev.relay.systemtests.stack.TwilioPeer.Mode;
import io.temporal.client.WorkflowExecutionMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A provider that fails and recovers, one that does not recover, and what support does about it:
 * a {@code retry} through the API, the same support action issued with the {@code temporal} CLI,
 * and the Temporal visibility query operators use to find the deliveries waiting for them.
 * Faults are injected at the Twilio peer ({@code /_peer/mode}); retries are the workflow's own
 * (6 tries, 500 ms × 2 backoff with jitter, capped at 2 s, in these tests).
 *
 * <p>The order is fixed: the worker keeps per-provider state (circuit breakers) across tests, so
 * the single-delivery tests run before the outage test, which fails many calls on purpose.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProviderFaultsIT {
  /**
   * The outage test fails {@value #OUTAGE_DELIVERIES} × 6 calls within seconds. A production
   * outage fails far more calls than the worker's circuit breaker needs to open, so the breaker's
   * minimum is scaled down to this outage (the single-delivery tests before it stay below it);
   * everything else, including how long an open breaker stays open, keeps its production default.
   */
  @RegisterExtension
  static final StackExtension STACK = new StackExtension()
      .workerEnv("RELAY_ROUTING_DEFAULTS_MINIMUM_CALLS", "20");

  static final String PURPOSE = "alerts";
  static final Duration STUCK = Duration.ofSeconds(90);
  static final Duration DONE = Duration.ofSeconds(60);
  static final int OUTAGE_DELIVERIES = 4;
  static final int TRIES = Integer.parseInt(RelayStack.defaultApiEnvironment().get("RELAY_DELIVERY_MAX_SEND_TRIES"));

  static RelayApi client;
  static RelayApi support;

  @BeforeAll
  static void template() {
    client = STACK.stack().client();
    support = STACK.stack().support();
    client.putTemplate("alert", null, null, null, "Alert {{code}}: please call us.").expect(200, 201);
  }

  @AfterEach
  void providerBackToNormal() {
    STACK.stack().twilio().mode(Mode.OK);
  }

  @Test
  @Order(1)
  void aProviderThatFailsThenRecoversIsRetriedUntilDelivered() {
    RelayStack stack = STACK.stack();
    String phone = "+15550300001";
    recipient(client, "flaky", null, phone, PURPOSE, Map.of("SMS", true));
    stack.twilio().mode(Mode.FAIL_500);

    String id = accept(client, "faults-flaky-1", sms("flaky", "F-1"));
    Poll.until("a failed send try in the audit trail of " + id, Duration.ofSeconds(60),
        Duration.ofMillis(100), () -> events(audit(client, id), "send", "failed").size(), n -> n >= 1);
    stack.twilio().mode(Mode.OK);

    awaitStatus(client, id, DONE, "DELIVERED");
    assertThat(stack.twilio().messagesTo(phone)).as("SMS to %s", phone).hasSize(1);
    List<JsonNode> trail = audit(client, id);
    assertThat(events(trail, "send", "failed")).as("failed tries in %s", describe(trail))
        .isNotEmpty().hasSizeLessThan(TRIES);
    assertThat(events(trail, "send", "accepted")).as("accepted sends in %s", describe(trail)).hasSize(1);
    assertThat(events(trail, "receipt", "delivered")).as("receipt in %s", describe(trail)).hasSize(1);
    assertThat(events(trail, "round", "failed")).as("no NEEDS_ATTENTION in %s", describe(trail)).isEmpty();
  }

  @Test
  @Order(2)
  void aSupportRetryIssuedWithTheTemporalCliWorksAndIsAudited() {
    RelayStack stack = STACK.stack();
    String phone = "+15550300003";
    recipient(client, "cli", null, phone, PURPOSE, Map.of("SMS", true));
    String id = stuckDelivery("cli", "faults-cli-1");
    stack.twilio().mode(Mode.OK);

    Map<String, Object> action = new LinkedHashMap<>();
    action.put("actor", "ops-cli");
    action.put("reason", "retried from the temporal CLI");
    action.put("channel", null);
    action.put("evidence", null);
    // Payloads are sealed: the CLI reads the update's answer (and seals its input) through the
    // API's codec server, with a support key, as the README tells operators.
    CliResult update = stack.temporal().cli("workflow", "update", "execute",
        "--workflow-id", DeliveryIds.workflowId(id),
        "--name", "retry",
        "--input", Json.write(action),
        "--codec-endpoint", stack.codecEndpoint(),
        "--codec-auth", "Bearer " + RelayStack.SUPPORT_KEY);
    assertThat(update.ok()).as("%s", update).isTrue();

    awaitStatus(client, id, DONE, "DELIVERED");
    assertThat(stack.twilio().messagesTo(phone)).as("SMS to %s", phone).hasSize(1);
    List<JsonNode> trail = audit(client, id);
    assertThat(events(trail, "support.retry", "accepted")).as("CLI retry in %s", describe(trail))
        .singleElement().satisfies(e -> {
          assertThat(e.path("actor").asText()).isEqualTo("ops-cli");
          assertThat(e.path("detail").asText()).contains("retried from the temporal CLI");
        });

    // The workflow's validator refuses what makes no sense now, through the CLI too.
    CliResult again = stack.temporal().cli("workflow", "update", "execute",
        "--workflow-id", DeliveryIds.workflowId(id), "--name", "retry", "--input", Json.write(action),
        "--codec-endpoint", stack.codecEndpoint(),
        "--codec-auth", "Bearer " + RelayStack.SUPPORT_KEY);
    assertThat(again.ok()).as("a retry of a delivered delivery: %s", again).isFalse();
  }

  @Test
  @Order(3)
  void temporalVisibilityFindsTheDeliveriesThatNeedAttention() {
    RelayStack stack = STACK.stack();
    recipient(client, "stuck", null, "+15550300004", PURPOSE, Map.of("SMS", true));
    String id = stuckDelivery("stuck", "faults-visibility-1");
    String workflowId = DeliveryIds.workflowId(id);
    String query = "DeliveryStatus = \"NEEDS_ATTENTION\"";

    List<WorkflowExecutionMetadata> listed = Poll.until("visibility to list " + workflowId + " for "
        + query, Duration.ofSeconds(30),
        () -> stack.workflowClient().listExecutions(query).toList(),
        list -> list.stream().anyMatch(m -> m.getExecution().getWorkflowId().equals(workflowId)));
    assertThat(listed).as("everything listed for %s", query).allSatisfy(m ->
        assertThat(m.getTypedSearchAttributes().get(SearchAttributes.DELIVERY_STATUS)).isEqualTo("NEEDS_ATTENTION"));
    WorkflowExecutionMetadata found = listed.stream()
        .filter(m -> m.getExecution().getWorkflowId().equals(workflowId)).findFirst().orElseThrow();
    var attributes = found.getTypedSearchAttributes();
    assertThat(attributes.get(SearchAttributes.TENANT)).isEqualTo(RelayStack.TENANT);
    assertThat(attributes.get(SearchAttributes.RECIPIENT_ID)).isEqualTo("stuck");
    assertThat(attributes.get(SearchAttributes.PURPOSE)).isEqualTo(PURPOSE);
    assertThat(attributes.get(SearchAttributes.CHANNEL)).isEqualTo("SMS");

    // The other attributes filter too, and the operator's CLI sees the same list.
    String narrow = query + " AND RecipientId = \"stuck\" AND Channel = \"SMS\" AND Tenant = \""
        + RelayStack.TENANT + "\"";
    assertThat(stack.workflowClient().listExecutions(narrow).map(m -> m.getExecution().getWorkflowId()))
        .containsExactly(workflowId);
    CliResult cliList = stack.temporal().cli("workflow", "list", "--query", query);
    assertThat(cliList.ok()).as("%s", cliList).isTrue();
    assertThat(cliList.output()).contains(workflowId);

    // Once support cancels it, it leaves the list.
    JsonNode cancelled = support.act(id, "CANCEL", "recipient asked us to stop", null, null).expect(200);
    assertThat(cancelled.path("status").asText()).isEqualTo("CANCELLED");
    Poll.until(workflowId + " to leave " + query, Duration.ofSeconds(30),
        () -> stack.workflowClient().listExecutions(query)
            .noneMatch(m -> m.getExecution().getWorkflowId().equals(workflowId)));
    assertThat(stack.workflowClient().listExecutions("DeliveryStatus = \"CANCELLED\"")
        .map(m -> m.getExecution().getWorkflowId())).contains(workflowId);
  }

  /** A delivery sent while the provider answers 500: it exhausts its tries and needs attention. */
  private String stuckDelivery(String recipientId, String key) {
    STACK.stack().twilio().mode(Mode.FAIL_500);
    String id = accept(client, key, sms(recipientId, key));
    JsonNode view = awaitStatus(client, id, STUCK, "NEEDS_ATTENTION");
    assertThat(view.path("reason").asText()).contains("send failed after " + TRIES + " tries");
    return id;
  }

  private static Map<String, Object> sms(String recipientId, String code) {
    return request(recipientId, PURPOSE, "alert", Map.of("code", code), List.of("SMS"), null);
  }

  /**
   * A provider outage: while Twilio answers 500, several deliveries exhaust their tries (enough
   * failed calls for the worker's circuit breaker, if any, to open) and wait for support. Once the
   * provider is back, support retries each through the API and each is delivered, once.
   */
  @Test
  @Order(4)
  void aProviderThatNeverRecoversNeedsAttentionThenSupportRetryViaTheApiDelivers() throws Exception {
    RelayStack stack = STACK.stack();
    List<String> phones = new ArrayList<>();
    for (int i = 1; i <= OUTAGE_DELIVERIES; i++) {
      String phone = "+155503100%02d".formatted(i);
      phones.add(phone);
      recipient(client, "down-" + i, null, phone, PURPOSE, Map.of("SMS", true));
    }
    stack.twilio().mode(Mode.FAIL_500);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= OUTAGE_DELIVERIES; i++) {
      ids.add(accept(client, "faults-down-" + i, sms("down-" + i, "D-" + i)));
    }
    for (String id : ids) {
      JsonNode view = awaitStatus(client, id, STUCK, "NEEDS_ATTENTION");
      assertThat(view.path("reason").asText()).contains("send failed after " + TRIES + " tries");
      List<JsonNode> stuck = audit(client, id);
      assertThat(events(stuck, "send", "failed")).as("failed tries in %s", describe(stuck)).hasSize(TRIES);
    }
    for (String phone : phones) {
      assertThat(stack.twilio().messagesTo(phone)).as("SMS accepted while the provider fails").isEmpty();
    }

    stack.twilio().mode(Mode.OK);
    for (String id : ids) {
      JsonNode result = support.act(id, "RETRY", "provider recovered", null, null).expect(200);
      assertThat(result.path("action").asText()).isEqualTo("RETRY");
    }

    for (String id : ids) {
      awaitStatus(client, id, DONE, "DELIVERED");
    }
    for (String phone : phones) {
      assertThat(stack.twilio().messagesTo(phone)).as("SMS to %s", phone).hasSize(1);
    }
    for (String id : ids) {
      List<JsonNode> trail = audit(client, id);
      assertThat(events(trail, "support.retry", "accepted")).as("support retry in %s", describe(trail))
          .singleElement().satisfies(e -> {
            assertThat(e.path("actor").asText()).isEqualTo(RelayStack.SUPPORT_KEY_NAME);
            assertThat(e.path("detail").asText()).contains("provider recovered");
          });
      assertThat(events(trail, "send", "accepted")).as("accepted sends in %s", describe(trail)).hasSize(1);
      assertThat(trail.get(trail.size() - 1).path("status").asText()).isEqualTo("DELIVERED");
    }

    // A delivered delivery takes no more retries.
    support.act(ids.get(0), "RETRY", "again", null, null).expect(409);
  }
}
