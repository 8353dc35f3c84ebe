package dev.relay.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/** The two ways load is offered to an arm: closed loop (C clients) and open loop (a fixed rate). */
final class Load {
  private final Config config;
  private final Mailpit mailpit;
  private final String run;
  private final Consumer<String> log;

  Load(Config config, Mailpit mailpit, String run, Consumer<String> log) {
    this.config = config;
    this.mailpit = mailpit;
    this.run = run;
    this.log = log;
  }

  /** N deliveries by C clients, each sending its next one when the previous one was accepted. */
  Tally closedLoop(Arm arm, String tag, int n, int clients) throws Exception {
    mailpit.clear();
    arm.prepare(tag, n);
    Tally t = new Tally(tag, n);
    Parallel.run(n, clients, i -> {
      Instant sent = Instant.now();
      try {
        t.ids[i] = arm.offer(tag, i);
        t.due[i] = sent;
        t.accepted[i] = Instant.now();
      } catch (Exception e) {
        t.fail(i, e);
      }
    });
    awaitDelivered(t, Instant.now().plus(config.timeout()));
    t.arrivals = mailpit.arrivals(Mailpit.domain(run, tag), tag);
    return t;
  }

  /**
   * Offers {@code rate × seconds} deliveries on a fixed schedule, whatever the answers: each offer
   * runs on a pool thread, so a slow answer delays no later offer (a saturated pool shows up as
   * accept latency, which is measured from the scheduled time). Offering stops early when the
   * backlog (accepted, no message yet) passes 2 × rate × drain: that rate is not sustainable and
   * going on would only build a queue the next phase must wait out.
   */
  RateResult openLoop(Arm arm, String tag, double rate) throws Exception {
    int n = (int) Math.round(rate * config.rateSeconds());
    mailpit.clear();
    arm.prepare(tag, n);
    Tally t = new Tally(tag, n);
    String domain = Mailpit.domain(run, tag);
    AtomicInteger acceptedSoFar = new AtomicInteger();
    AtomicBoolean overloaded = new AtomicBoolean();
    long backlogLimit = Math.round(2 * rate * config.drain().toSeconds());
    ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
    watch.scheduleWithFixedDelay(() -> {
      try {
        if (acceptedSoFar.get() - mailpit.count(domain) > backlogLimit) {
          overloaded.set(true);
        }
      } catch (Exception e) {
        // the next check tries again
      }
    }, 1, 1, TimeUnit.SECONDS);
    ExecutorService offers = Executors.newFixedThreadPool(config.openLoopThreads());
    long startNanos = System.nanoTime() + 100_000_000L;
    Instant start = Instant.now().plusMillis(100);
    int issued = 0;
    try {
      for (int i = 0; i < n && !overloaded.get(); i++, issued++) {
        long dueNanos = startNanos + (long) (i * 1e9 / rate);
        for (long wait; (wait = dueNanos - System.nanoTime()) > 0; ) {
          LockSupport.parkNanos(wait);
        }
        int k = i;
        t.due[k] = start.plusNanos(dueNanos - startNanos);
        offers.execute(() -> {
          try {
            t.ids[k] = arm.offer(tag, k);
            t.accepted[k] = Instant.now();
            acceptedSoFar.incrementAndGet();
          } catch (Exception e) {
            t.fail(k, e);
          }
        });
      }
      offers.shutdown();
      if (!offers.awaitTermination(config.timeout().toSeconds(), TimeUnit.SECONDS)) {
        t.failures.add("offers still unanswered " + config.timeout().toSeconds() + " s after the last one");
        offers.shutdownNow();
      }
    } finally {
      watch.shutdownNow();
      offers.shutdownNow();
    }
    Instant offerEnd = start.plusNanos((long) (issued * 1e9 / rate));
    // Wait out the backlog (bounded by --timeout) so the next phase starts on an idle stack.
    awaitDelivered(t, Instant.now().plus(config.timeout()));
    t.arrivals = mailpit.arrivals(domain, tag);
    return RateResult.of(arm.name(), rate, issued, t, start, offerEnd, config.drain(), overloaded.get());
  }

  /** Polls Mailpit until every accepted delivery of the phase has a message, or the deadline. */
  void awaitDelivered(Tally t, Instant deadline) throws Exception {
    String domain = Mailpit.domain(run, t.tag);
    long expected = t.acceptedCount();
    Instant nextLog = Instant.now().plusSeconds(10);
    long seen = mailpit.count(domain);
    while (seen < expected && Instant.now().isBefore(deadline)) {
      if (Instant.now().isAfter(nextLog)) {
        log.accept(String.format("  %s: %d/%d messages in Mailpit", t.tag, seen, expected));
        nextLog = Instant.now().plusSeconds(10);
      }
      Thread.sleep(500);
      seen = mailpit.count(domain);
    }
    if (seen < expected) {
      t.failures.add((expected - seen) + " accepted deliveries had no message in Mailpit by the deadline"
          + " (they stay queued and overlap the next phase: rerun with a smaller N or on a quieter machine)");
    }
  }

  /**
   * One rate of the open loop.
   *
   * @param offered deliveries issued (fewer than rate × seconds when offering stopped early)
   * @param acceptMs scheduled time → accepted (Relay: 202; minimal: start answered)
   * @param deliverMs accepted → message in Mailpit
   * @param deliveredPerSecond messages that arrived while offering, per second of offering
   * @param lagSeconds last message − end of the offering window (start + offered / rate); negative
   *     when the last message came before the window closed
   * @param bounded every offer accepted, and every accepted one delivered within the drain window
   *     after offering stopped
   * @param verdict why bounded or not, in words
   */
  record RateResult(String arm, double rate, int offered, int accepted, int delivered, int duplicates,
      Latencies acceptMs, Latencies deliverMs, double deliveredPerSecond, double lagSeconds,
      boolean bounded, String verdict, List<String> notes) {

    static RateResult of(String arm, double rate, int offered, Tally t, Instant start, Instant offerEnd,
        Duration drain, boolean overloaded) {
      int accepted = t.acceptedCount();
      int delivered = t.delivered();
      Instant last = t.lastArrival();
      double lag = last == null ? Double.NaN : Tally.millis(offerEnd, last) / 1000.0;
      long duringOffer = 0;
      for (int i = 0; i < t.n; i++) {
        if (t.accepted[i] != null && t.arrivals.containsKey(i) && !t.firstArrival(i).isAfter(offerEnd)) {
          duringOffer++;
        }
      }
      double offerSeconds = Tally.millis(start, offerEnd) / 1000.0;
      String verdict;
      if (overloaded) {
        verdict = "unbounded: backlog passed 2 × rate × drain, offering stopped after " + offered;
      } else if (accepted < offered) {
        verdict = "unbounded: " + (offered - accepted) + " offers not accepted";
      } else if (delivered < accepted) {
        verdict = "unbounded: " + (accepted - delivered) + " accepted never delivered";
      } else if (lag > drain.toSeconds()) {
        verdict = String.format(java.util.Locale.ROOT, "unbounded: last message %.1f s after offering stopped (> %d s)",
            lag, drain.toSeconds());
      } else if (lag <= 0) {
        verdict = "bounded: all delivered before offering ended";
      } else {
        verdict = String.format(java.util.Locale.ROOT, "bounded: all delivered %.1f s after offering stopped (≤ %d s)",
            lag, drain.toSeconds());
      }
      return new RateResult(arm, rate, offered, accepted, delivered, t.duplicates(), t.acceptMs(),
          t.deliverMs(), duringOffer / offerSeconds, lag, verdict.startsWith("bounded"), verdict,
          List.copyOf(t.failures));
    }
  }
}
