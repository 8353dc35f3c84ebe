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
import dev.relay.systemtests.client.RelayApi;
import dev.relay.systemtests.stack.Poll;
import dev.relay.systemtests.stack.RelayStack;
import dev.relay.systemtests.stack.StackExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kill -9 the worker while deliveries are in flight, three times, then let it run: every delivery
 * ends DELIVERED, each recipient got its mail or SMS once, each audit trail records one accepted
 * send.
 */
class WorkerCrashIT {
  private static final Logger log = LoggerFactory.getLogger(WorkerCrashIT.class);

  @RegisterExtension
  static final StackExtension STACK = new StackExtension();

  static final int EMAILS = 20;
  static final int SMS = 6;
  static final int KILLS = 3;

  @Test
  void everyDeliveryCompletesOnceDespiteRepeatedKillNine() {
    RelayStack stack = STACK.stack();
    RelayApi client = stack.client();
    client.putTemplate("statement", "Statement {{month}}", "Your statement for {{month}}.", null,
        "Your statement for {{month}} is ready.").expect(200, 201);
    List<String> addresses = new ArrayList<>();
    List<String> phones = new ArrayList<>();
    List<List<String>> waves = new ArrayList<>();
    Map<String, Map<String, Object>> bodies = new LinkedHashMap<>();
    for (int w = 0; w < KILLS; w++) {
      waves.add(new ArrayList<>());
    }
    for (int i = 1; i <= EMAILS; i++) {
      String r = "crash-mail-%02d".formatted(i);
      addresses.add(r + "@crash.example.test");
      recipient(client, r, r + "@crash.example.test", null, "statements", Map.of("EMAIL", true));
      String key = "crash-mail-key-%02d".formatted(i);
      bodies.put(key, request(r, "statements", "statement", Map.of("month", "2026-%02d".formatted(i % 12 + 1)),
          null, null));
      waves.get((i - 1) * KILLS / EMAILS).add(key);
    }
    for (int i = 1; i <= SMS; i++) {
      String r = "crash-sms-%02d".formatted(i);
      String phone = "+1555040%04d".formatted(i);
      phones.add(phone);
      recipient(client, r, null, phone, "statements", Map.of("SMS", true));
      String key = "crash-sms-key-%02d".formatted(i);
      bodies.put(key, request(r, "statements", "statement", Map.of("month", "S-" + i), List.of("SMS"), null));
      waves.get((i - 1) * KILLS / SMS).add(key);
    }

    // The deliveries come in three waves, each posted while the worker is down. The worker is
    // started and killed with SIGKILL as soon as its first new message is out, so every kill
    // lands in the middle of a wave (and of what earlier runs left unfinished).
    stack.worker().kill9();
    List<String> deliveries = new ArrayList<>();
    for (int kill = 1; kill <= KILLS; kill++) {
      for (String key : waves.get(kill - 1)) {
        deliveries.add(accept(client, key, bodies.get(key)));
      }
      int before = sent(stack);
      stack.worker().start();
      Poll.until("a new message after worker start " + kill, Duration.ofSeconds(90),
          Duration.ofMillis(20), () -> sent(stack), n -> n > before);
      stack.worker().kill9();
      // Nothing moves while the worker is dead: these counts are exact.
      int messages = sent(stack);
      long unfinished = deliveries.stream()
          .filter(id -> !Deliveries.FINAL.contains(Deliveries.status(client, id))).count();
      log.info("kill -9 #{} of the worker: {} messages out, {} of {} accepted deliveries unfinished",
          kill, messages, unfinished, deliveries.size());
      assertThat(unfinished).as("deliveries in flight at kill #%d", kill).isPositive();
    }

    stack.worker().start().awaitReady();
    for (String id : deliveries) {
      awaitStatus(client, id, Duration.ofSeconds(180), "DELIVERED");
    }

    int resends = ExactlyOnce.assertOneMailEach(stack.smtp(), stack.worker().process(), addresses);
    for (String phone : phones) {
      assertThat(stack.twilio().messagesTo(phone)).as("SMS to %s", phone).hasSize(1);
    }
    log.info("all {} deliveries DELIVERED; same-Message-ID email resends: {}", deliveries.size(), resends);
    int fromLedger = 0;
    for (String id : deliveries) {
      List<JsonNode> trail = audit(client, id);
      List<JsonNode> sends = events(trail, "send", "accepted");
      assertThat(sends).as("accepted sends of %s:%s", id, describe(trail)).hasSize(1);
      fromLedger += Deliveries.fromLedger(sends.get(0)) ? 1 : 0;
      assertThat(trail.get(trail.size() - 1).path("status").asText()).isEqualTo("DELIVERED");
    }
    log.info("sends answered from the send ledger after a crash: {}", fromLedger);
    assertThat(stack.workflowClient().countWorkflows("WorkflowType = 'DeliveryWorkflow'").getCount())
        .as("delivery workflows").isEqualTo(EMAILS + SMS);
  }

  /** Messages out so far: mails in the SMTP server plus SMS at the Twilio peer. */
  private static int sent(RelayStack stack) {
    return stack.smtp().all().size() + stack.twilio().messages().size();
  }
}
