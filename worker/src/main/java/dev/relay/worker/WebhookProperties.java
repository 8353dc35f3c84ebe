package dev.relay.worker;

import dev.relay.activities.webhooks.WebhookSettings;
import dev.relay.guard.net.HostResolver;
import dev.relay.guard.net.OutboundPolicy;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The status-webhook dispatcher ({@code relay.webhooks.*}): how often the outbox is polled and how
 * events are sent and retried. Every knob has a default; {@code enabled=false} runs no dispatcher
 * in this worker (events stay queued until a worker with one runs).
 *
 * @param pollInterval pause between two polls
 * @param batch events claimed and POSTed (in parallel) per poll
 * @param timeout one POST, connect and answer
 * @param maxAttempts tries per event before it is FAILED
 * @param allowInsecureLocal local development only: also plain http, and loopback addresses
 *     (a receiver on this machine); every other non-public address stays refused. The
 *     {@code prod} profile refuses to start with it.
 */
@ConfigurationProperties(prefix = "relay.webhooks")
public record WebhookProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("1s") Duration pollInterval,
    @DefaultValue("20") int batch,
    @DefaultValue("5s") Duration timeout,
    @DefaultValue("12") int maxAttempts,
    @DefaultValue Backoff backoff,
    @DefaultValue("false") boolean allowInsecureLocal) {

  /** Wait after the n-th failed try: initial × multiplier^(n-1), at most max. */
  public record Backoff(
      @DefaultValue("1s") Duration initial,
      @DefaultValue("2.0") double multiplier,
      @DefaultValue("10m") Duration max) {}

  /** Where webhooks may go: https to public addresses (plus the local-development exception). */
  public OutboundPolicy policy() {
    return new OutboundPolicy(HostResolver.SYSTEM, allowInsecureLocal);
  }

  public WebhookSettings settings() {
    return new WebhookSettings(enabled, pollInterval, batch, timeout, maxAttempts,
        backoff.initial(), backoff.multiplier(), backoff.max());
  }
}
