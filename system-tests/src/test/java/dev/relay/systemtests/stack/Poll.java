package dev.relay.systemtests.stack;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded polling: every wait in the system tests has a deadline and says, when it runs out, what
 * it waited for and what it saw last. A poll is how a test waits; it is never an assertion by
 * itself sleeping for a while.
 */
public final class Poll {
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(200);

  private Poll() {}

  /** Polls {@code probe} until {@code done} accepts its value; returns that value. */
  public static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
    return until(what, timeout, DEFAULT_INTERVAL, probe, done);
  }

  public static <T> T until(String what, Duration timeout, Duration interval, Supplier<T> probe,
      Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    RuntimeException lastError = null;
    while (true) {
      try {
        last = probe.get();
        lastError = null;
        if (done.test(last)) {
          return last;
        }
      } catch (RuntimeException e) {
        lastError = e;
      }
      if (System.nanoTime() - deadline > 0) {
        AssertionError failure = new AssertionError("timed out after " + timeout + " waiting for "
            + what + "; last seen: " + (lastError != null ? lastError : String.valueOf(last)));
        if (lastError != null) {
          failure.initCause(lastError);
        }
        throw failure;
      }
      sleep(interval);
    }
  }

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, () -> condition.getAsBoolean(), Boolean::booleanValue);
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while polling", e);
    }
  }
}
