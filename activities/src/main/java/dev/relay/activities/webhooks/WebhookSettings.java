package dev.relay.activities.webhooks;

import java.time.Duration;

/**
 * How the worker sends status webhooks.
 *
 * @param enabled whether this worker runs a dispatcher at all
 * @param pollInterval pause between two polls of the outbox
 * @param batch events claimed (and POSTed in parallel) per poll
 * @param timeout one POST: connect and answer
 * @param maxAttempts tries per event before it is FAILED
 * @param initialBackoff wait after the first failed try; each later wait is {@code multiplier}
 *     times the previous one, at most {@code maxBackoff}
 */
public record WebhookSettings(
    boolean enabled,
    Duration pollInterval,
    int batch,
    Duration timeout,
    int maxAttempts,
    Duration initialBackoff,
    double multiplier,
    Duration maxBackoff) {

  public static WebhookSettings defaults() {
    return new WebhookSettings(true, Duration.ofSeconds(1), 20, Duration.ofSeconds(5), 12,
        Duration.ofSeconds(1), 2.0, Duration.ofMinutes(10));
  }

  public WebhookSettings {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be at least 1");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("multiplier must be at least 1.0");
    }
  }

  /** The wait after failed try number {@code attempt} (1-based): initial × multiplier^(n-1), capped. */
  public Duration backoff(int attempt) {
    double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
    return millis >= maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis(Math.round(millis));
  }

  /**
   * How long a claimed event stays hidden from other dispatchers: past the POST's own timeout, so
   * an event is sent again only when its dispatcher died (not merely because it is slow).
   */
  public Duration lease() {
    return timeout.multipliedBy(2).plusSeconds(5);
  }
}
