package dev.relay.activities.webhooks;

import dev.relay.activities.webhooks.VettedDnsResolver.RefusedAddressException;
import dev.relay.guard.net.OutboundPolicy;
import dev.relay.guard.net.RefusedDestinationException;
import dev.relay.store.webhook.DueWebhook;
import dev.relay.store.webhook.WebhookOutboxRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.util.Timeout;
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
 *
 * <p>Where it POSTs is checked by the {@link OutboundPolicy} for every event: https only (http
 * only under the local-development flag), and every address the host resolves to must be public.
 * The check is made by the HTTP client's resolver when it connects, so the connection goes to
 * exactly the addresses checked (a DNS rebind in between cannot redirect it). A refused URL or
 * address fails the event at once ({@code FAILED}, the reason in {@code last_error}): the tenant
 * must set another URL, and retrying would only hammer the refused address.
 */
public class WebhookDispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
  static final String USER_AGENT = "Relay-Webhooks/1";

  private final WebhookOutboxRepository outbox;
  private final WebhookSettings settings;
  private final OutboundPolicy policy;
  private final CloseableHttpClient http;
  private final ExecutorService senders;
  private final Clock clock;
  private final MeterRegistry registry;

  /** What one poll did. */
  public record Pass(int claimed, int delivered, int retried, int failed) {}

  /** The production policy: https and public addresses only. */
  public WebhookDispatcher(WebhookOutboxRepository outbox, WebhookSettings settings,
      MeterRegistry registry) {
    this(outbox, settings, registry, Clock.systemUTC(), OutboundPolicy.strict());
  }

  /** With the clock given: tests move time forward instead of waiting out backoffs. */
  public WebhookDispatcher(WebhookOutboxRepository outbox, WebhookSettings settings,
      MeterRegistry registry, Clock clock) {
    this(outbox, settings, registry, clock, OutboundPolicy.strict());
  }

  /** With the policy given (the local-development flag, or a test's resolver). */
  public WebhookDispatcher(WebhookOutboxRepository outbox, WebhookSettings settings,
      MeterRegistry registry, Clock clock, OutboundPolicy policy) {
    this.outbox = outbox;
    this.settings = settings;
    this.registry = registry;
    this.clock = clock;
    this.policy = policy;
    Timeout timeout = Timeout.ofMilliseconds(settings.timeout().toMillis());
    this.http = HttpClients.custom()
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
            .setDnsResolver(new VettedDnsResolver(policy))
            .setMaxConnTotal(settings.batch())
            .setMaxConnPerRoute(settings.batch())
            .setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(timeout)
                .setSocketTimeout(timeout)
                .build())
            .build())
        .setDefaultRequestConfig(RequestConfig.custom()
            .setConnectionRequestTimeout(timeout)
            .setResponseTimeout(timeout)
            .build())
        // The configured URL is the only place events go; no proxy from system properties.
        .disableRedirectHandling()
        .disableAutomaticRetries()
        .disableCookieManagement()
        .disableAuthCaching()
        .setUserAgent(USER_AGENT)
        .build();
    AtomicInteger threads = new AtomicInteger();
    this.senders = Executors.newFixedThreadPool(settings.batch(), r -> {
      Thread t = new Thread(r, "relay-webhook-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
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
    ClassicHttpRequest request;
    try {
      URI url = policy.checkUrl(URI.create(due.url()));
      long timestamp = clock.instant().getEpochSecond();
      request = ClassicRequestBuilder.post(url)
          .setHeader("webhook-id", due.eventId())
          .setHeader("webhook-timestamp", Long.toString(timestamp))
          .setHeader("webhook-signature",
              WebhookSignature.sign(due.secret(), due.eventId(), timestamp, due.body()))
          // JSON is UTF-8 (RFC 8259): no charset parameter.
          .setEntity(new ByteArrayEntity(due.body().getBytes(StandardCharsets.UTF_8),
              ContentType.create("application/json")))
          .build();
    } catch (RefusedDestinationException e) {
      return CompletableFuture.completedFuture(fail(due, "refused: " + e.getMessage()));
    } catch (IllegalArgumentException e) {
      // A URL or secret no request can be made from: more tries cannot help.
      return CompletableFuture.completedFuture(fail(due, "cannot send: " + e.getMessage()));
    }
    return CompletableFuture.supplyAsync(() -> post(due, request), senders);
  }

  private Outcome post(DueWebhook due, ClassicHttpRequest request) {
    int status;
    try {
      status = http.execute(request, response -> {
        EntityUtils.consume(response.getEntity());
        return response.getCode();
      });
    } catch (RefusedAddressException e) {
      // The host resolves to a refused address now (DNS changed since the URL was set).
      return fail(due, "refused: " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      return failedTry(due, e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
    if (status >= 200 && status < 300) {
      outbox.markDelivered(due.eventId(), clock.instant());
      count(Outcome.DELIVERED);
      return Outcome.DELIVERED;
    }
    return failedTry(due, "HTTP " + status);
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

  /** Stops the HTTP client and its sender threads. */
  @Override
  public void close() {
    senders.shutdownNow();
    try {
      http.close();
    } catch (IOException e) {
      log.debug("closing the webhook client: {}", e.toString());
    }
  }
}
