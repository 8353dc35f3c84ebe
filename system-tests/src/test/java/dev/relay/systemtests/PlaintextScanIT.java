package dev.relay.systemtests;

import static dev.relay.systemtests.Deliveries.accept;
import static dev.relay.systemtests.Deliveries.awaitStatus;
import static dev.relay.systemtests.Deliveries.recipient;
import static dev.relay.systemtests.Deliveries.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.contracts.DeliveryIds;
import dev.relay.systemtests.client.Json;
import dev.relay.systemtests.client.RelayApi;
import dev.relay.systemtests.stack.RelayStack;
import dev.relay.systemtests.stack.StackExtension;
import dev.relay.systemtests.stack.TemporalDevServer.CliResult;
import dev.relay.systemtests.stack.TwilioPeer.Mode;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Temporal server keeps after real deliveries through the whole stack (email, SMS with
 * its receipt signal, a stuck SMS retried by support through the CLI with the codec endpoint, a
 * stuck one cancelled through the API, a consent refusal): the dev server's SQLite files (the
 * database, its WAL) are scanned byte for byte for every recipient's email address and phone
 * number, every template variable value and every support reason. None may be there. A control
 * workflow started in clear by a client without the codec proves the scan finds what is stored
 * in clear.
 */
class PlaintextScanIT {
  private static final Logger log = LoggerFactory.getLogger(PlaintextScanIT.class);
  static final Duration DONE = Duration.ofSeconds(90);
  static final String PURPOSE = "scan.notice";
  static final String TEMPLATE = "scan";

  @RegisterExtension
  static final StackExtension STACK = new StackExtension()
      .apiEnv("RELAY_DELIVERY_MAX_SEND_TRIES", "2")
      .apiEnv("RELAY_DELIVERY_INITIAL_BACKOFF", "200ms");

  @Test
  void temporalsStorageHoldsNoContactPointVariableValueOrSupportReason() throws Exception {
    RelayStack stack = STACK.stack();
    RelayApi client = stack.client();
    client.putTemplate(TEMPLATE, "Statement {{account}} for {{name}}",
        "Dear {{name}}, statement {{account}}: {{amount}}.", null,
        "{{name}}: statement {{account}} {{amount}}").expect(200, 201);
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> secrets = new ArrayList<>();
    List<String> delivered = new ArrayList<>();

    // Email and SMS deliveries, each recipient with its own address, number and values.
    for (int i = 0; i < 3; i++) {
      String email = "scan" + i + "-" + run + "@plaintext.example.test";
      String phone = "+1555" + (2000000 + i * 1111 + Integer.parseInt(run.substring(0, 3), 16));
      String recipientId = "scan-" + i + "-" + run;
      recipient(client, recipientId, email, phone, PURPOSE, Map.of("EMAIL", true, "SMS", true));
      Map<String, Object> variables = variables(run, i);
      secrets.add(email);
      secrets.add(phone);
      variables.values().forEach(v -> secrets.add((String) v));
      delivered.add(accept(client, "scan-email-" + i + "-" + run,
          request(recipientId, PURPOSE, TEMPLATE, variables, List.of("EMAIL"), null)));
      delivered.add(accept(client, "scan-sms-" + i + "-" + run,
          request(recipientId, PURPOSE, TEMPLATE, variables, List.of("SMS"), null)));
    }
    for (String id : delivered) {
      awaitStatus(client, id, DONE, "DELIVERED");
    }

    // Refused by consent: the reason travels in the workflow's result.
    String refusedEmail = "refused-" + run + "@plaintext.example.test";
    recipient(client, "scan-refused-" + run, refusedEmail, null, PURPOSE, Map.of("EMAIL", false));
    secrets.add(refusedEmail);
    String refused = accept(client, "scan-refused-" + run, request("scan-refused-" + run, PURPOSE,
        TEMPLATE, variables(run, 7), null, null));
    variables(run, 7).values().forEach(v -> secrets.add((String) v));
    awaitStatus(client, refused, DONE, "REJECTED");

    // Two stuck SMS: one retried by support with the temporal CLI through the codec server
    // (the CLI seals its update input via /codec/encode), one cancelled through the API.
    String stuckPhone = "+1555" + (3000000 + Integer.parseInt(run.substring(0, 3), 16));
    recipient(client, "scan-stuck-" + run, null, stuckPhone, PURPOSE, Map.of("SMS", true));
    secrets.add(stuckPhone);
    stack.twilio().mode(Mode.FAIL_500);
    String retried = accept(client, "scan-stuck-1-" + run, request("scan-stuck-" + run, PURPOSE,
        TEMPLATE, variables(run, 8), List.of("SMS"), null));
    String cancelled = accept(client, "scan-stuck-2-" + run, request("scan-stuck-" + run, PURPOSE,
        TEMPLATE, variables(run, 9), List.of("SMS"), null));
    variables(run, 8).values().forEach(v -> secrets.add((String) v));
    variables(run, 9).values().forEach(v -> secrets.add((String) v));
    awaitStatus(client, retried, DONE, "NEEDS_ATTENTION");
    awaitStatus(client, cancelled, DONE, "NEEDS_ATTENTION");
    stack.twilio().mode(Mode.OK);

    String cliReason = "cli reason " + run + " customer phoned back";
    Map<String, Object> action = new LinkedHashMap<>();
    action.put("actor", "ops-" + run);
    action.put("reason", cliReason);
    action.put("channel", null);
    action.put("evidence", null);
    CliResult update = stack.temporal().cli("workflow", "update", "execute",
        "--workflow-id", DeliveryIds.workflowId(retried), "--name", "retry",
        "--input", Json.write(action),
        "--codec-endpoint", stack.codecEndpoint(),
        "--codec-auth", "Bearer " + RelayStack.SUPPORT_KEY);
    assertThat(update.ok()).as("%s", update).isTrue();
    secrets.add(cliReason);
    awaitStatus(client, retried, DONE, "DELIVERED");

    String apiReason = "api reason " + run + " recipient moved abroad";
    stack.support().act(cancelled, "CANCEL", apiReason, null, null).expect(200, 202);
    secrets.add(apiReason);
    awaitStatus(client, cancelled, DONE, "CANCELLED");

    // The CLI with the codec reads what it wrote; without it, it sees ciphertext only.
    CliResult decoded = stack.temporal().cli("workflow", "show", "--workflow-id",
        DeliveryIds.workflowId(retried), "--output", "json",
        "--codec-endpoint", stack.codecEndpoint(), "--codec-auth", "Bearer " + RelayStack.SUPPORT_KEY);
    assertThat(decoded.ok()).as("%s", decoded).isTrue();
    assertThat(payloadData(decoded.output())).contains(cliReason)
        .contains((String) variables(run, 8).get("name"));
    CliResult sealed = stack.temporal().cli("workflow", "show", "--workflow-id",
        DeliveryIds.workflowId(retried), "--output", "json");
    assertThat(sealed.ok()).as("%s", sealed).isTrue();
    assertThat(payloadData(sealed.output())).doesNotContain(cliReason)
        .doesNotContain((String) variables(run, 8).get("name"));
    assertThat(sealed.output()).contains(java.util.Base64.getEncoder()
        .encodeToString("binary/encrypted".getBytes(StandardCharsets.UTF_8)));

    // Control: a workflow started in clear (no codec) on the same server.
    String canary = "canary-" + run + "@plaintext.example.test";
    startInClear(stack, canary);

    // Stop the server so everything it holds is in its files, then read them.
    stack.temporal().stop();
    Map<String, Integer> hits = scan(stack.temporal().dbFile(), secrets);
    int canaryHits = scan(stack.temporal().dbFile(), List.of(canary)).get(canary);
    long total = hits.values().stream().mapToInt(Integer::intValue).sum();
    String report = "plaintext scan of " + files(stack.temporal().dbFile()) + ": "
        + secrets.size() + " secret values (email addresses, phone numbers, template variable "
        + "values, support reasons) from " + (delivered.size() + 3) + " deliveries: " + total
        + " hits; control value written in clear: " + canaryHits + " hits";
    log.info(report);
    Files.writeString(stack.logDir().resolveSibling("plaintext-scan.txt"), report + "\n" + hits + "\n");

    assertThat(canaryHits).as("the control value stored in clear (else the scan is blind)")
        .isGreaterThan(0);
    assertThat(hits).as(report).allSatisfy((secret, count) ->
        assertThat(count).as("plaintext hits for %s", secret).isZero());
  }

  private static Map<String, Object> variables(String run, int i) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", "Zelda Scanfield " + run + "-" + i);
    v.put("account", "ACC-" + run + "-" + (1000 + i));
    v.put("amount", "EUR " + (4000 + i) + ".17-" + run);
    return v;
  }

  /** Every payload's data in the CLI's JSON history (base64 there), decoded and joined. */
  private static String payloadData(String json) throws IOException {
    StringBuilder all = new StringBuilder();
    collect(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json), all);
    return all.toString();
  }

  private static void collect(com.fasterxml.jackson.databind.JsonNode node, StringBuilder all) {
    if (node.isArray()) {
      node.elements().forEachRemaining(child -> collect(child, all));
      return;
    }
    node.fields().forEachRemaining(e -> {
      if (e.getKey().equals("data") && e.getValue().isTextual()) {
        try {
          all.append(new String(java.util.Base64.getDecoder().decode(e.getValue().asText()),
              StandardCharsets.UTF_8)).append('\n');
        } catch (IllegalArgumentException notBase64) {
          all.append(e.getValue().asText()).append('\n');
        }
      } else {
        collect(e.getValue(), all);
      }
    });
  }

  /** A workflow nobody runs, started by a client without the codec: its input is in clear. */
  private static void startInClear(RelayStack stack, String value) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(stack.temporal().target()).build());
    try {
      WorkflowClient plain = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace("default").build());
      plain.newUntypedWorkflowStub("PlaintextCanary", WorkflowOptions.newBuilder()
              .setWorkflowId("plaintext-canary-" + UUID.randomUUID())
              .setTaskQueue("plaintext-canary")
              .build())
          .start(Map.of("contact", value));
    } finally {
      stubs.shutdownNow();
    }
  }

  /** Occurrences of each value (UTF-8) in the database file and its WAL/SHM companions. */
  static Map<String, Integer> scan(Path dbFile, List<String> values) throws IOException {
    Map<String, Integer> hits = new LinkedHashMap<>();
    values.forEach(v -> hits.put(v, 0));
    for (Path file : companions(dbFile)) {
      byte[] bytes = Files.readAllBytes(file);
      for (String value : values) {
        hits.merge(value, count(bytes, value.getBytes(StandardCharsets.UTF_8)), Integer::sum);
      }
    }
    return hits;
  }

  private static List<Path> companions(Path dbFile) throws IOException {
    try (Stream<Path> files = Files.list(dbFile.getParent())) {
      return files.filter(p -> p.getFileName().toString().startsWith(dbFile.getFileName().toString()))
          .sorted().toList();
    }
  }

  private static String files(Path dbFile) throws IOException {
    StringBuilder s = new StringBuilder();
    for (Path p : companions(dbFile)) {
      s.append(s.isEmpty() ? "" : ", ").append(p.getFileName()).append(" (")
          .append(Files.size(p) / 1024).append(" KiB)");
    }
    return s.toString();
  }

  private static int count(byte[] haystack, byte[] needle) {
    int n = 0;
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      n++;
    }
    return n;
  }
}
