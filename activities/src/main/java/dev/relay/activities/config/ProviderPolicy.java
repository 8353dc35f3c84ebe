package dev.relay.activities.config;

import java.time.Duration;

/**
 * How one provider is guarded: its circuit breaker (judged on the calls of a recent time window)
 * and its rate limit.
 *
 * @param failureRateThreshold percent of failed calls in the window that opens the breaker
 * @param slowCallRateThreshold percent of slow calls in the window that opens the breaker
 * @param slowCallThreshold a call slower than this is slow (keep it below the provider timeout)
 * @param slidingWindow the recent time window the rates are computed over (whole seconds)
 * @param minimumCalls calls the window must hold before a rate counts at all
 * @param waitInOpen how long an open breaker refuses calls before it half-opens on its own
 * @param halfOpenCalls trial calls a half-open breaker lets through to decide open or closed
 * @param rateLimit sends per {@code rateLimitPeriod}
 * @param rateLimitPeriod the period the rate limit refills in
 * @param rateLimitTimeout the longest a send waits for a rate permit before the next provider is
 *     tried; keep the waits of a channel's providers, plus their timeouts, below the send
 *     activity's StartToClose ({@code relay.delivery.send-timeout}, 30 s by default)
 */
public record ProviderPolicy(
    float failureRateThreshold,
    float slowCallRateThreshold,
    Duration slowCallThreshold,
    Duration slidingWindow,
    int minimumCalls,
    Duration waitInOpen,
    int halfOpenCalls,
    int rateLimit,
    Duration rateLimitPeriod,
    Duration rateLimitTimeout) {

  /**
   * Conservative: a provider is skipped only when half of at least 50 calls within 30 s failed
   * (or 80 % were slower than 5 s), and is tried again after 15 s. A quiet channel never trips
   * (each send still fails over on its own when a provider is definitely down), so a brief blip
   * of a channel's only provider does not turn into refused sends. The rate limit (1000 a second)
   * only protects; set a provider's real limit by name.
   */
  public static ProviderPolicy defaults() {
    return new ProviderPolicy(50f, 80f, Duration.ofSeconds(5), Duration.ofSeconds(30), 50,
        Duration.ofSeconds(15), 3, 1000, Duration.ofSeconds(1), Duration.ofSeconds(5));
  }

  public ProviderPolicy {
    requirePercent("failureRateThreshold", failureRateThreshold);
    requirePercent("slowCallRateThreshold", slowCallRateThreshold);
    requirePositive("slowCallThreshold", slowCallThreshold);
    requirePositive("waitInOpen", waitInOpen);
    requirePositive("rateLimitPeriod", rateLimitPeriod);
    if (slidingWindow == null || slidingWindow.toSeconds() < 1) {
      throw new IllegalArgumentException("slidingWindow must be at least 1s");
    }
    if (minimumCalls < 1 || halfOpenCalls < 1 || rateLimit < 1) {
      throw new IllegalArgumentException(
          "minimumCalls, halfOpenCalls and rateLimit must be at least 1");
    }
    if (rateLimitTimeout == null || rateLimitTimeout.isNegative()) {
      throw new IllegalArgumentException("rateLimitTimeout must not be negative");
    }
  }

  private static void requirePercent(String name, float value) {
    if (!(value > 0 && value <= 100)) {
      throw new IllegalArgumentException(name + " must be in (0, 100]: " + value);
    }
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
