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
import dev.relay.systemtests.client.ApiResponse;
import dev.relay.systemtests.client.RelayApi;
import dev.relay.systemtests.stack.Poll;
import dev.relay.systemtests.stack.RelayStack;
import dev.relay.systemtests.stack.StackExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stop the Temporal server while deliveries are in flight and start it again on the same ports
 * and SQLite file: every delivery completes, none is lost, none is sent twice.
 *
 * <p>While Temporal is down the API keeps accepting: a POST is written to PostgreSQL first and
 * answered 202 (status ACCEPTED) after the start timeout; the API's background starter starts the
 * workflow once Temporal is back. The test checks exactly that for deliveries posted during the
 * outage (no client-side retry is needed), and that a replayed POST still finds its delivery.
 */
class TemporalRestartIT {
  private static final Logger log = LoggerFactory.getLogger(TemporalRestartIT.class);

  @RegisterExtension
  static final StackExtension STACK = new StackExtension();

  static final int EMAILS = 12;
  static final int SMS = 6;
  static final int DURING_OUTAGE = 6;

  @Test
  void deliveriesSurviveATemporalServerRestartExactlyOnce() throws Exception {
    RelayStack stack = STACK.stack();
    RelayApi client = stack.client();
    client.putTemplate("reminder", "Reminder {{n}}", "Reminder number {{n}}.", null,
        "Reminder number {{n}}.").expect(200, 201);

    List<String> emails = new ArrayList<>();
    List<String> phones = new ArrayList<>();
    Map<String, String> keyToId = new LinkedHashMap<>();
    Map<String, Map<String, Object>> bodies = new LinkedHashMap<>();
    for (int i = 1; i <= EMAILS + DURING_OUTAGE; i++) {
      String r = "restart-mail-%02d".formatted(i);
      emails.add(r + "@restart.example.test");
      recipient(client, r, r + "@restart.example.test", null, "reminders", Map.of("EMAIL", true));
      bodies.put("restart-mail-key-%02d".formatted(i),
          request(r, "reminders", "reminder", Map.of("n", i), null, null));
    }
    for (int i = 1; i <= SMS; i++) {
      String r = "restart-sms-%02d".formatted(i);
      String phone = "+1555020%04d".formatted(i);
      phones.add(phone);
      recipient(client, r, null, phone, "reminders", Map.of("SMS", true));
      bodies.put("restart-sms-key-%02d".formatted(i),
          request(r, "reminders", "reminder", Map.of("n", 100 + i), List.of("SMS"), null));
    }
    List<String> keys = new ArrayList<>(bodies.keySet());
    List<String> outageKeys = keys.subList(EMAILS, EMAILS + DURING_OUTAGE);
    List<String> firstWave = new ArrayList<>(keys);
    firstWave.removeAll(outageKeys);

    ExecutorService callers = Executors.newFixedThreadPool(firstWave.size());
    try {
      // The first wave is posted all at once; the server is stopped as soon as the first message
      // is out, so the rest of the wave is in flight (or still being accepted) when it goes down.
      Map<String, Future<ApiResponse>> wave = new LinkedHashMap<>();
      for (String key : firstWave) {
        wave.put(key, callers.submit(() -> client.createDelivery(key, bodies.get(key))));
      }
      Poll.until("the first message of the wave", Duration.ofSeconds(60), Duration.ofMillis(10),
          () -> stack.smtp().all().size() + stack.twilio().messages().size(), n -> n > 0);
      stack.temporal().stop();
      int mailsAtStop = stack.smtp().all().size();
      int smsAtStop = stack.twilio().messages().size();
      for (Map.Entry<String, Future<ApiResponse>> e : wave.entrySet()) {
        keyToId.put(e.getKey(), e.getValue().get(60, TimeUnit.SECONDS).expect(202).path("deliveryId").asText());
      }
      long unfinished = keyToId.values().stream()
          .filter(id -> !Deliveries.FINAL.contains(Deliveries.status(client, id))).count();
      log.info("Temporal stopped with {} mails and {} SMS out; {} of {} deliveries unfinished",
          mailsAtStop, smsAtStop, unfinished, keyToId.size());
      assertThat(unfinished).as("deliveries in flight when Temporal went down").isPositive();

      // The API keeps accepting while Temporal is down.
      Map<String, Future<ApiResponse>> duringOutage = new LinkedHashMap<>();
      for (String key : outageKeys) {
        duringOutage.put(key, callers.submit(() -> client.createDelivery(key, bodies.get(key))));
      }
      for (Map.Entry<String, Future<ApiResponse>> e : duringOutage.entrySet()) {
        JsonNode accepted = e.getValue().get(60, TimeUnit.SECONDS).expect(202);
        assertThat(accepted.path("status").asText()).as("status while Temporal is down")
            .isEqualTo("ACCEPTED");
        keyToId.put(e.getKey(), accepted.path("deliveryId").asText());
      }
    } finally {
      callers.shutdownNow();
    }
    String replayKey = firstWave.get(0);
    ApiResponse replay = client.createDelivery(replayKey, bodies.get(replayKey));
    assertThat(replay.expect(202).path("deliveryId").asText()).isEqualTo(keyToId.get(replayKey));
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    // Reads come from the store: they work during the outage.
    Deliveries.view(client, keyToId.get(outageKeys.get(0)));

    stack.temporal().start();
    log.info("Temporal started again on {} with {}", stack.temporal().target(), stack.temporal().dbFile());

    for (Map.Entry<String, String> e : keyToId.entrySet()) {
      awaitStatus(client, e.getValue(), Duration.ofSeconds(180), "DELIVERED");
    }

    ExactlyOnce.assertOneMailEach(stack.smtp(), stack.worker().process(), emails);
    for (String phone : phones) {
      assertThat(stack.twilio().messagesTo(phone)).as("SMS to %s", phone).hasSize(1);
    }
    int fromLedger = 0;
    for (Map.Entry<String, String> e : keyToId.entrySet()) {
      assertThat(e.getValue()).isEqualTo(DeliveryIds.deliveryId(RelayStack.TENANT, e.getKey()));
      List<JsonNode> trail = audit(client, e.getValue());
      List<JsonNode> sends = events(trail, "send", "accepted");
      assertThat(sends).as("sends of %s:%s", e.getValue(), describe(trail)).hasSize(1);
      fromLedger += Deliveries.fromLedger(sends.get(0)) ? 1 : 0;
    }
    log.info("sends answered from the send ledger after the restart: {}", fromLedger);
    long workflows = Poll.until("visibility to count every delivery workflow", Duration.ofSeconds(30),
        () -> stack.workflowClient().countWorkflows("WorkflowType = 'DeliveryWorkflow'").getCount(),
        n -> n >= keyToId.size());
    assertThat(workflows).as("delivery workflows (none lost, none doubled)").isEqualTo(keyToId.size());
  }
}
