package dev.relay.activities.webhooks;

import dev.relay.store.webhook.DueWebhook;
import dev.relay.store.webhook.WebhookOutboxRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends queued status events to tenants' webhooks, Standard Webhooks style: a JSON POST with
 * {@code webhook-id} (the event ID), {@code webhook-timestamp} and {@code webhook-signature}.
 *
 * <p>Delivery is at least once: an event is marked DELIVERED only after a 2xx, so a crash or a
 * lost answer sends it again (same webhook-id, fresh timestamp and signature); receivers dedupe on
 * the webhook-id. Anything else (non-2xx, timeout, connection error) is tried again with
 * exponential backoff until {@link WebhookSettings#maxAttempts()}, then the event is FAILED.
 * Redirects are not followed: the configured URL is the only place events go.
 */
public class WebhookDispatcher {
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
  static final String USER_AGENT = "Relay-Webhooks/1";

  private final WebhookOutboxRepository outbox;
  private final WebhookSettings settings;
  private final HttpClient http;
  private final Clock clock;
  private final MeterRegistry registry;

  /** What one poll did. */
  public record Pass(int claimed, int delivered, int retried, int failed) {}

  public WebhookDispatcher(WebhookOutboxRepository outbox, WebhookSettings settings,
      MeterRegistry registry) {
    this(outbox, settings, registry, Clock.systemUTC());
  }

  /** With the clock given: tests move time forward instead of waiting out backoffs. */
  public WebhookDispatcher(WebhookOutboxRepository outbox, WebhookSettings settings,
      MeterRegistry registry, Clock clock) {
    this.outbox = outbox;
    this.settings = settings;
    this.registry = registry;
    this.clock = clock;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * One poll: claims the due events (at most one batch), POSTs them in parallel and records each
   * outcome. Returns once every POST has answered or timed out.
   */
  public Pass dispatchDue() {
    List<DueWebhook> due = outbox.claimDue(clock.instant(), settings.batch(), settings.lease());
    List<CompletableFuture<Outcome>> sends = due.stream().map(this::send).toList();
    int delivered = 0;
    int retried = 0;
    int failed = 0;
    for (CompletableFuture<Outcome> send : sends) {
      switch (send.join()) {
        case DELIVERED -> delivered++;
        case RETRY -> retried++;
        case FAILED -> failed++;
      }
    }
    return new Pass(due.size(), delivered, retried, failed);
  }

  private enum Outcome { DELIVERED, RETRY, FAILED }

  private CompletableFuture<Outcome> send(DueWebhook due) {
    if (due.url() == null || due.secret() == null) {
      return CompletableFuture.completedFuture(
          fail(due, "the tenant has no status webhook any more"));
    }
    HttpRequest request;
    try {
      long timestamp = clock.instant().getEpochSecond();
      request = HttpRequest.newBuilder(URI.create(due.url()))
          .timeout(settings.timeout())
          .header("Content-Type", "application/json")
          .header("User-Agent", USER_AGENT)
          .header("webhook-id", due.eventId())
          .header("webhook-timestamp", Long.toString(timestamp))
          .header("webhook-signature",
              WebhookSignature.sign(due.secret(), due.eventId(), timestamp, due.body()))
          .POST(HttpRequest.BodyPublishers.ofString(due.body(), StandardCharsets.UTF_8))
          .build();
    } catch (IllegalArgumentException e) {
      // A URL or secret no request can be made from: more tries cannot help.
      return CompletableFuture.completedFuture(fail(due, "cannot send: " + e.getMessage()));
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .handle((response, error) -> {
          if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
            return failedTry(due, cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
          }
          int status = response.statusCode();
          if (status >= 200 && status < 300) {
            outbox.markDelivered(due.eventId(), clock.instant());
            count(Outcome.DELIVERED);
            return Outcome.DELIVERED;
          }
          return failedTry(due, "HTTP " + status);
        });
  }

  private Outcome failedTry(DueWebhook due, String error) {
    if (due.attempt() >= settings.maxAttempts()) {
      return fail(due, error + " (attempt " + due.attempt() + " of " + settings.maxAttempts() + ")");
    }
    Instant next = clock.instant().plus(settings.backoff(due.attempt()));
    outbox.markRetry(due.eventId(), next, error);
    log.debug("status webhook {} of tenant {}: {}; try {} at {}", due.eventId(), due.tenantId(),
        error, due.attempt() + 1, next);
    count(Outcome.RETRY);
    return Outcome.RETRY;
  }

  private Outcome fail(DueWebhook due, String error) {
    outbox.markFailed(due.eventId(), error);
    log.warn("status webhook {} ({}) of tenant {} given up: {}", due.eventId(), due.type(),
        due.tenantId(), error);
    count(Outcome.FAILED);
    return Outcome.FAILED;
  }

  /** {@code relay_webhook_attempts_total{outcome}}: delivered, retry, failed. */
  private void count(Outcome outcome) {
    if (registry != null) {
      registry.counter("relay_webhook_attempts", "outcome", outcome.name().toLowerCase()).increment();
    }
  }
}
