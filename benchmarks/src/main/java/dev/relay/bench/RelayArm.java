package dev.relay.bench;

import dev.relay.contracts.DeliveryIds;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Relay end to end: {@code POST /v1/deliveries} (one e-mail each) to a pool of recipients per
 * phase, whose addresses are on the phase's own domain; the subject carries the delivery's key.
 */
final class RelayArm implements Arm {
  static final String PURPOSE = "bench";
  static final String TEMPLATE = "bench-email";

  private final Config config;
  private final Http http;
  private final String run;
  private final Consumer<String> log;

  RelayArm(Config config, Http http, String run, Consumer<String> log) {
    this.config = config;
    this.http = http;
    this.run = run;
    this.log = log;
  }

  @Override
  public String name() {
    return "Relay";
  }

  /** The template, once per run; not timed. */
  void putTemplate() throws Exception {
    Http.expect(200, http.put(api("/v1/templates/" + TEMPLATE), config.clientKey(), Map.of(
        "subject", "Relay bench {{run}} #{{seq}}",
        "textBody", "Benchmark delivery {{seq}} of run {{run}}.",
        "htmlBody", "<p>Benchmark delivery <b>{{seq}}</b> of run {{run}}.</p>",
        "smsBody", "Bench {{seq}}")), "PUT template");
  }

  /** Recipients {@code bench-RUN-TAG-pJ} at {@code pJ@TAG.RUN.bench.test}, with consent; not timed. */
  @Override
  public void prepare(String tag, int n) throws Exception {
    int pool = pool(n);
    List<String> failures = Parallel.run(pool, config.concurrency(), j -> {
      String id = recipientId(tag, j);
      putWithRetry("/v1/recipients/" + id, Map.of("displayName", "Bench " + j, "active", true,
          "contacts", List.of(Map.of("channel", "EMAIL", "address",
              "p" + j + "@" + Mailpit.domain(run, tag), "verified", true))));
      putWithRetry("/v1/recipients/" + id + "/consents/" + PURPOSE, Map.of(
          "channels", Map.of("EMAIL", true), "source", "benchmark", "evidence", "load test run " + run));
    });
    if (!failures.isEmpty()) {
      throw new IllegalStateException("could not create recipients: " + failures);
    }
  }

  @Override
  public String offer(String tag, int i) throws Exception {
    Http.Response r = http.post(api("/v1/deliveries"), config.clientKey(), idempotencyKey(tag, i),
        item(tag, i));
    Http.expect(202, r, "POST /v1/deliveries");
    return r.json().get("deliveryId").asText();
  }

  @Override
  public String workflowId(String deliveryId) {
    return DeliveryIds.workflowId(deliveryId);
  }

  /** The body of one delivery request, as POST /v1/deliveries and the batch items take it. */
  Map<String, Object> item(String tag, int i) {
    return Map.of("recipientId", recipientId(tag, i % config.recipientPool()) /* i < n when n < pool */, "purpose", PURPOSE,
        "templateId", TEMPLATE, "variables", Map.of("run", run, "seq", Mailpit.key(tag, i)),
        "channels", List.of("EMAIL"));
  }

  String idempotencyKey(String tag, int i) {
    return "bench-" + run + "-" + Mailpit.key(tag, i);
  }

  /** Recipients of a phase: enough that no recipient gets many messages at once, few enough to set up quickly. */
  private int pool(int n) {
    return Math.min(n, config.recipientPool());
  }

  private String recipientId(String tag, int j) {
    return "bench-" + run + "-" + tag + "-p" + j;
  }

  /** Set-up PUTs are idempotent and not timed: a failed one is tried again (3 tries). */
  private void putWithRetry(String path, Object body) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        Http.expect(200, http.put(api(path), config.clientKey(), body), "PUT " + path);
        return;
      } catch (Exception e) {
        if (attempt == 3) {
          throw e;
        }
        log.accept("  retrying PUT " + path + " after " + e);
      }
    }
  }

  URI api(String path) {
    return config.api().resolve(path);
  }
}
