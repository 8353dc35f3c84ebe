package dev.relay.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Burst: N deliveries accepted through the batch API (1000 items a request, C requests at a time),
 * then the time until the last message is in Mailpit, the API's and worker's resident memory,
 * and whether every delivery arrived exactly once (messages counted per key in the subject).
 */
final class BurstRun {
  static final String TAG = "burst";

  private final Config config;
  private final RelayArm relay;
  private final BatchClient batch;
  private final Mailpit mailpit;
  private final Load load;
  private final String run;
  private final Consumer<String> log;

  BurstRun(Config config, RelayArm relay, BatchClient batch, Mailpit mailpit, Load load, String run,
      Consumer<String> log) {
    this.config = config;
    this.relay = relay;
    this.batch = batch;
    this.mailpit = mailpit;
    this.load = load;
    this.run = run;
    this.log = log;
  }

  /**
   * @param requested deliveries in the burst
   * @param accepted / replayed / rejected the batch API's outcomes, summed
   * @param requests batch requests sent
   * @param acceptSeconds first request → last batch answered
   * @param lastMessageSeconds first request → last message in Mailpit
   * @param delivered deliveries with at least one message
   * @param missing accepted deliveries without a message
   * @param duplicates deliveries with more than one message
   * @param rssKb VmRSS of api and worker: start, sampled peak, end
   */
  record Result(int requested, int accepted, int replayed, int rejected, int requests,
      double acceptSeconds, double lastMessageSeconds, int delivered, int missing, int duplicates,
      boolean exactlyOnce, Map<String, Rss.Reading> rssKb, Latencies deliverMs, List<String> notes) {}

  Result run(int n) throws Exception {
    batch.probe(); // fails with a clear message before anything is created
    mailpit.clear();
    relay.prepare(TAG, n);
    int requests = (n + BatchClient.MAX_ITEMS - 1) / BatchClient.MAX_ITEMS;
    Tally t = new Tally(TAG, n);
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger replayed = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    List<String> notes = java.util.Collections.synchronizedList(new ArrayList<>());
    log.accept(String.format("burst: %d deliveries in %d batch requests, %d at a time", n, requests,
        Math.min(requests, config.concurrency())));
    Instant first = Instant.now();
    Instant[] lastAnswer = {first};
    Map<String, Rss.Reading> rss;
    try (Rss memory = new Rss(config.relayHome())) {
      List<String> failures = Parallel.run(requests, config.concurrency(), r -> {
        int from = r * BatchClient.MAX_ITEMS;
        int to = Math.min(n, from + BatchClient.MAX_ITEMS);
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = from; i < to; i++) {
          Map<String, Object> item = new java.util.HashMap<>(relay.item(TAG, i));
          item.put("idempotencyKey", relay.idempotencyKey(TAG, i));
          items.add(item);
        }
        Instant sent = Instant.now();
        BatchClient.Outcome o = batch.send(items);
        Instant answered = Instant.now();
        synchronized (lastAnswer) {
          lastAnswer[0] = answered.isAfter(lastAnswer[0]) ? answered : lastAnswer[0];
        }
        accepted.addAndGet(o.accepted());
        replayed.addAndGet(o.replayed());
        rejected.addAndGet(o.rejected());
        for (BatchClient.ItemResult item : o.results()) {
          int i = from + item.index();
          if (!item.outcome().equals("rejected") && item.deliveryId() != null) {
            t.due[i] = sent;
            t.accepted[i] = answered;
            t.ids[i] = item.deliveryId();
          } else if (notes.size() < 10) {
            notes.add("item " + i + " " + item.outcome() + ": " + item.problem());
          }
        }
      });
      failures.forEach(f -> notes.add("batch request failed: " + f));
      load.awaitDelivered(t, Instant.now().plus(config.burstTimeout()));
      rss = memory.stop();
    }
    t.arrivals = mailpit.arrivals(Mailpit.domain(run, TAG), TAG);
    notes.addAll(t.failures);
    int delivered = t.delivered();
    int acceptedItems = t.acceptedCount();
    int unexpected = (int) t.arrivals.keySet().stream().filter(i -> i >= n || t.accepted[i] == null).count();
    if (unexpected > 0) {
      notes.add(unexpected + " messages for deliveries the API did not accept");
    }
    Instant last = t.lastArrival();
    boolean exactlyOnce = delivered == n && t.duplicates() == 0 && unexpected == 0;
    return new Result(n, accepted.get(), replayed.get(), rejected.get(), requests,
        Tally.millis(first, lastAnswer[0]) / 1000.0,
        last == null ? Double.NaN : Tally.millis(first, last) / 1000.0, delivered,
        acceptedItems - delivered, t.duplicates(), exactlyOnce, rss, t.deliverMs(), List.copyOf(notes));
  }
}
