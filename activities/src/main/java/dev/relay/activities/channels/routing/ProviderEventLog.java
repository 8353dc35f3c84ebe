package dev.relay.activities.channels.routing;

import dev.relay.contracts.Channel;
import dev.relay.store.provider.ProviderEventRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes provider registrations and breaker transitions to {@code providers} and
 * {@code provider_events}, in order, on one background thread: a transition happens on the
 * thread of the send that caused it, which must not wait for (or fail with) the database. A write
 * that fails is retried a few times with backoff (the database may be the thing that is down);
 * the row keeps the transition's own time, however late it is written.
 */
public final class ProviderEventLog implements ProviderEvents, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProviderEventLog.class);
  private static final int QUEUE = 10_000;
  private static final int WRITE_ATTEMPTS = 6;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);

  private final ProviderEventRepository repository;
  private final ThreadPoolExecutor writer;

  public ProviderEventLog(ProviderEventRepository repository) {
    this.repository = repository;
    this.writer = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUE), runnable -> {
          Thread t = new Thread(runnable, "relay-provider-events");
          t.setDaemon(true);
          return t;
        }, (task, executor) -> log.error("provider event queue full; an event was dropped"));
    writer.allowCoreThreadTimeOut(true); // no idle thread between (rare) transitions
  }

  @Override
  public void registered(String provider, Channel channel, int position) {
    submit("registration of " + provider,
        () -> repository.register(provider, channel.name(), position));
  }

  @Override
  public void transitioned(String provider, Channel channel, String from, String to, Instant at,
      String detail) {
    submit(provider + " " + from + " -> " + to + " at " + at,
        () -> repository.record(provider, channel.name(), from, to, at, detail));
  }

  private void submit(String what, Runnable write) {
    writer.execute(() -> {
      Duration backoff = FIRST_BACKOFF;
      for (int attempt = 1; ; attempt++) {
        try {
          write.run();
          return;
        } catch (RuntimeException e) {
          if (attempt == WRITE_ATTEMPTS) {
            log.error("could not record {} after {} attempts", what, attempt, e);
            return;
          }
          log.warn("recording {} failed (attempt {}), retrying in {}", what, attempt, backoff);
          if (!sleep(backoff)) {
            return;
          }
          backoff = backoff.multipliedBy(2);
        }
      }
    });
  }

  private static boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Writes what is queued (up to a few seconds), then stops. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
