package dev.relay.activities.channels.routing;

import dev.relay.activities.channels.FailureTable.Decision;
import dev.relay.activities.channels.SendFailure;
import dev.relay.contracts.Channel;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What stands in front of one provider: its circuit breaker (fed with the outcome and duration
 * of every call) and its rate limit. A send {@link #enter}s, then either {@link Permit#call}s the
 * provider or {@link Permit#release}s the permit unused.
 */
public final class ProviderGuard {

  /** The answer to {@link #enter()}: a {@link Permit}, or {@link Refused} with the reason. */
  public sealed interface Entry permits Permit, Refused {}

  /**
   * The provider is not to be called now (breaker open or half-open and busy, rate limited).
   *
   * @param retryAfter when asking again can get a permit (zero when unknown)
   */
  public record Refused(String reason, Duration retryAfter) implements Entry {}

  /** One call of the provider. */
  @FunctionalInterface
  public interface ProviderCall<T> {
    T run() throws SendFailure;
  }

  private final String name;
  private final Channel channel;
  private final CircuitBreaker breaker;
  private final RateLimiter limiter;
  private final ProviderTelemetry telemetry;
  private final Duration waitInOpen;
  // When the breaker last opened (System.nanoTime), so a refusal can say when it half-opens.
  private volatile long openedAtNanos;

  ProviderGuard(String name, Channel channel, CircuitBreaker breaker, RateLimiter limiter,
      ProviderTelemetry telemetry, Duration waitInOpen) {
    this.name = name;
    this.channel = channel;
    this.breaker = breaker;
    this.limiter = limiter;
    this.telemetry = telemetry;
    this.waitInOpen = waitInOpen;
  }

  void transitioned(CircuitBreaker.State to) {
    if (to == CircuitBreaker.State.OPEN) {
      openedAtNanos = System.nanoTime();
    }
  }

  /** How long until an open breaker half-opens; zero when it is not open. */
  Duration untilHalfOpen() {
    if (breaker.getState() != CircuitBreaker.State.OPEN) {
      return Duration.ZERO;
    }
    Duration left = waitInOpen.minusNanos(System.nanoTime() - openedAtNanos);
    return left.isNegative() ? Duration.ZERO : left;
  }

  public String name() {
    return name;
  }

  public Channel channel() {
    return channel;
  }

  public CircuitBreaker.State state() {
    return breaker.getState();
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  RateLimiter limiter() {
    return limiter;
  }

  /**
   * Asks the breaker first (an open provider is skipped without waiting), then waits for a rate
   * permit, at most the configured timeout: excess sends queue here instead of failing.
   */
  public Entry enter() {
    if (!breaker.tryAcquirePermission()) {
      telemetry.outcome(this, "not_permitted");
      return new Refused("circuit breaker " + breaker.getState(), untilHalfOpen());
    }
    if (!limiter.acquirePermission()) {
      breaker.releasePermission();
      telemetry.outcome(this, "rate_limited");
      return new Refused("rate limit, no permit within "
          + limiter.getRateLimiterConfig().getTimeoutDuration(),
          limiter.getRateLimiterConfig().getLimitRefreshPeriod());
    }
    return new Permit();
  }

  /** Permission to call the provider once. */
  public final class Permit implements Entry {
    private boolean used;

    private Permit() {}

    /**
     * Calls the provider and tells the breaker how it went. Only provider trouble counts against
     * it (FAILOVER, RETRY, unexpected errors); a PERMANENT refusal is the provider working.
     * The duration starts after the rate-limit wait, so queueing is not mistaken for slowness.
     */
    public <T> T call(ProviderCall<T> call) throws SendFailure {
      use();
      long start = System.nanoTime();
      try {
        T result = call.run();
        breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        telemetry.outcome(ProviderGuard.this, "accepted");
        return result;
      } catch (SendFailure f) {
        long elapsed = System.nanoTime() - start;
        if (f.decision() == Decision.PERMANENT) {
          breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
        } else {
          breaker.onError(elapsed, TimeUnit.NANOSECONDS, f);
        }
        telemetry.outcome(ProviderGuard.this, outcome(f));
        throw f;
      } catch (RuntimeException e) {
        breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
        telemetry.outcome(ProviderGuard.this, "error");
        throw e;
      }
    }

    /** Gives the permit back without calling (the ledger showed the send already done). */
    public void release() {
      use();
      breaker.releasePermission();
    }

    /** The call resent a message an earlier try may have delivered, without reconciling. */
    public void possibleDuplicate() {
      telemetry.possibleDuplicate(ProviderGuard.this);
    }

    private void use() {
      if (used) {
        throw new IllegalStateException("permit for " + name + " already used");
      }
      used = true;
    }
  }

  private static String outcome(SendFailure f) {
    return switch (f.decision()) {
      case PERMANENT -> "rejected";
      case FAILOVER -> "failover";
      case RETRY -> f.maybeAccepted() ? "ambiguous" : "retry";
    };
  }
}
