package dev.relay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Relay end to end: deliveries through {@code POST /v1/deliveries}, each to its own recipient
 * whose address is unique to this run, counted when the message shows up in Mailpit. Mailpit's
 * {@code Created} (when its SMTP server took the message) is the delivery time.
 */
final class RelayRun {
  static final String PURPOSE = "bench";
  static final String TEMPLATE = "bench-email";

  private final Config config;
  private final Http http;
  private final String run;
  private final Consumer<String> log;

  RelayRun(Config config, Http http, String run, Consumer<String> log) {
    this.config = config;
    this.http = http;
    this.run = run;
    this.log = log;
  }

  /** A set of deliveries to recipients {@code bench-RUN-<prefix>i} at {@code <prefix>i@<prefix>.RUN.bench.test}. */
  final class Batch {
    final String prefix;
    final int n;
    final Instant[] sent;
    final Instant[] accepted;
    final String[] deliveryIds;
    final Map<Integer, List<Instant>> arrivals = new ConcurrentHashMap<>();
    final List<String> notes = new ArrayList<>();
    int postFailures;

    Batch(String prefix, int n) {
      this.prefix = prefix;
      this.n = n;
      this.sent = new Instant[n];
      this.accepted = new Instant[n];
      this.deliveryIds = new String[n];
    }

    String domain() {
      return prefix + "." + run + ".bench.test";
    }

    String recipientId(int i) {
      return "bench-" + run + "-" + prefix + i;
    }

    String address(int i) {
      return prefix + i + "@" + domain();
    }

    long acceptedCount() {
      return java.util.Arrays.stream(accepted).filter(Objects::nonNull).count();
    }
  }

  Batch newBatch(String prefix, int n) {
    return new Batch(prefix, n);
  }

  /** Template, recipients and consents; not timed. */
  void prepare(Batch... batches) throws Exception {
    Http.expect(200, http.put(api("/v1/templates/" + TEMPLATE), config.clientKey(), Map.of(
        "subject", "Relay bench {{run}} #{{seq}}",
        "textBody", "Benchmark delivery {{seq}} of run {{run}}.",
        "htmlBody", "<p>Benchmark delivery <b>{{seq}}</b> of run {{run}}.</p>",
        "smsBody", "Bench {{seq}}")), "PUT template");
    for (Batch b : batches) {
      List<String> failures = Parallel.run(b.n, config.concurrency(), i -> {
        String id = b.recipientId(i);
        putWithRetry("/v1/recipients/" + id, Map.of("displayName", "Bench " + i, "active", true,
            "contacts", List.of(Map.of("channel", "EMAIL", "address", b.address(i), "verified", true))));
        putWithRetry("/v1/recipients/" + id + "/consents/" + PURPOSE, Map.of(
            "channels", Map.of("EMAIL", true), "source", "benchmark", "evidence", "load test run " + run));
      });
      if (!failures.isEmpty()) {
        throw new IllegalStateException("could not create recipients: " + failures);
      }
    }
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

  /** POSTs every delivery of the batch with {@code concurrency} clients, timing each. */
  void send(Batch b) throws Exception {
    List<String> failures = Parallel.run(b.n, config.concurrency(), i -> {
      Map<String, Object> body = Map.of("recipientId", b.recipientId(i), "purpose", PURPOSE,
          "templateId", TEMPLATE, "variables", Map.of("run", run, "seq", String.valueOf(i)),
          "channels", List.of("EMAIL"));
      Instant t0 = Instant.now();
      Http.Response r = http.post(api("/v1/deliveries"), config.clientKey(),
          "bench-" + run + "-" + b.prefix + i, body);
      Instant t1 = Instant.now();
      Http.expect(202, r, "POST /v1/deliveries");
      b.sent[i] = t0;
      b.accepted[i] = t1;
      b.deliveryIds[i] = r.json().get("deliveryId").asText();
    });
    b.postFailures = b.n - (int) b.acceptedCount();
    failures.forEach(f -> b.notes.add("POST failed: " + f));
  }

  /** Waits until every accepted delivery's message is in Mailpit (or the timeout), then reads them. */
  void awaitArrivals(Batch b) throws Exception {
    long expected = b.acceptedCount();
    Instant deadline = Instant.now().plus(config.timeout());
    Instant nextLog = Instant.now().plusSeconds(5);
    long seen = 0;
    while (Instant.now().isBefore(deadline)) {
      seen = search(b, 0, 1).path("messages_count").asLong();
      if (seen >= expected) {
        break;
      }
      if (Instant.now().isAfter(nextLog)) {
        log.accept(String.format("  %d/%d messages in Mailpit", seen, expected));
        nextLog = Instant.now().plusSeconds(5);
      }
      Thread.sleep(500);
    }
    int pageSize = 500;
    for (int start = 0; ; start += pageSize) {
      JsonNode page = search(b, start, pageSize).path("messages");
      for (JsonNode m : page) {
        Instant created = Instant.parse(m.path("Created").asText());
        for (JsonNode to : m.path("To")) {
          String address = to.path("Address").asText();
          String local = address.substring(0, address.indexOf('@'));
          if (address.endsWith("@" + b.domain()) && local.startsWith(b.prefix)) {
            int i = Integer.parseInt(local.substring(b.prefix.length()));
            b.arrivals.computeIfAbsent(i, k -> new ArrayList<>()).add(created);
          }
        }
      }
      if (page.size() < pageSize) {
        break;
      }
    }
    if (b.arrivals.size() < expected) {
      b.notes.add((expected - b.arrivals.size()) + " accepted deliveries had no message in Mailpit after "
          + config.timeout().toSeconds() + " s");
      int shown = 0;
      for (int i = 0; i < b.n && shown < 5; i++) {
        if (b.deliveryIds[i] != null && !b.arrivals.containsKey(i)) {
          Http.Response r = http.get(api("/v1/deliveries/" + b.deliveryIds[i]), config.clientKey());
          String status = r.status() == 200 ? r.json().path("status").asText() : "HTTP " + r.status();
          b.notes.add("  " + b.deliveryIds[i] + ": " + status);
          shown++;
        }
      }
    }
  }

  PhaseResult result(Batch b, HistoryCounts history, CpuUse cpu) {
    List<Double> accept = new ArrayList<>();
    List<Double> delivered = new ArrayList<>();
    Instant first = null;
    Instant last = null;
    int duplicates = 0;
    for (int i = 0; i < b.n; i++) {
      if (b.accepted[i] == null) {
        continue;
      }
      accept.add(millis(b.sent[i], b.accepted[i]));
      first = first == null || b.sent[i].isBefore(first) ? b.sent[i] : first;
      List<Instant> got = b.arrivals.get(i);
      if (got != null) {
        Instant arrived = got.stream().min(Instant::compareTo).orElseThrow();
        delivered.add(millis(b.accepted[i], arrived));
        last = last == null || arrived.isAfter(last) ? arrived : last;
        duplicates += got.size() > 1 ? 1 : 0;
      }
    }
    double wall = first == null || last == null ? Double.NaN : millis(first, last) / 1000.0;
    if (duplicates > 0) {
      b.notes.add(duplicates + " recipients got more than one message");
    }
    return new PhaseResult("Relay", b.n, (int) b.acceptedCount(), b.arrivals.size(), duplicates,
        Latencies.ofMillis(accept), Latencies.ofMillis(delivered), b.arrivals.size() / wall, wall,
        history.activities(), history.events(), cpu, List.copyOf(b.notes));
  }

  private JsonNode search(Batch b, int start, int limit) throws Exception {
    String query = URLEncoder.encode("to:@" + b.domain(), StandardCharsets.UTF_8);
    return http.getJson(config.mailpit().resolve(
        "/api/v1/search?query=" + query + "&start=" + start + "&limit=" + limit));
  }

  private URI api(String path) {
    return config.api().resolve(path);
  }

  static double millis(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1_000_000.0;
  }
}
