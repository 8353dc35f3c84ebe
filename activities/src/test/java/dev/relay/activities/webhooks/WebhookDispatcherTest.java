package dev.relay.activities.webhooks;

import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.activities.TestStore;
import dev.relay.activities.channels.ScriptedSmtpServer;
import dev.relay.activities.notifications.NotificationActivitiesImpl;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.StatusEventType;
import dev.relay.contracts.activities.StatusNotification;
import dev.relay.store.webhook.OutboxRecord;
import dev.relay.store.webhook.OutboxState;
import dev.relay.store.webhook.StatusWebhookRepository;
import dev.relay.store.webhook.WebhookOutboxRepository;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dispatcher against a real HTTP endpoint (a local server) and a real PostgreSQL. Time is a
 * test clock that the test moves past each backoff, so no test waits for a retry.
 */
@Timeout(60)
class WebhookDispatcherTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String DELIVERY = "dlv-0000000000000000000000000000abcd";
  /** Small numbers: 3 tries, 1 s then 2 s between them, a short POST timeout. */
  private static final WebhookSettings SETTINGS = new WebhookSettings(true, Duration.ofMillis(100),
      10, Duration.ofSeconds(2), 3, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(10));

  private TestStore store;
  private WebhookReceiver receiver;
  private WebhookOutboxRepository outbox;
  private NotificationActivitiesImpl notifications;
  private TestClock clock;
  private SimpleMeterRegistry registry;
  private WebhookDispatcher dispatcher;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    receiver = new WebhookReceiver();
    outbox = new WebhookOutboxRepository(store.jdbi);
    notifications = new NotificationActivitiesImpl(outbox);
    // Slightly ahead of the database clock, so events queued "now" are due.
    clock = new TestClock(Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.MICROS));
    registry = new SimpleMeterRegistry();
    dispatcher = new WebhookDispatcher(outbox, SETTINGS, registry, clock);
    new StatusWebhookRepository(store.jdbi).configure(TENANT, receiver.url("/hooks/relay"), SECRET);
  }

  @AfterEach
  void tearDown() {
    receiver.close();
    store.close();
  }

  @Test
  void aPostCarriesTheStandardWebhooksHeadersAndASignatureTheSecretVerifies() throws Exception {
    notify(7, StatusEventType.DELIVERED);

    WebhookDispatcher.Pass pass = dispatcher.dispatchDue();

    assertThat(pass).isEqualTo(new WebhookDispatcher.Pass(1, 1, 0, 0));
    WebhookReceiver.Received post = receiver.received().get(0);
    assertThat(post.path()).isEqualTo("/hooks/relay");
    assertThat(post.header("Content-Type")).isEqualTo("application/json");
    assertThat(post.header("webhook-id")).isEqualTo(DELIVERY + ":7");
    long timestamp = Long.parseLong(post.header("webhook-timestamp"));
    assertThat(timestamp).isEqualTo(clock.instant().getEpochSecond());
    // What a receiver does: HMAC-SHA256 over id.timestamp.body with the secret's decoded bytes.
    assertThat(verify(SECRET, post)).isTrue();
    assertThat(verify("whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==", post)).isFalse();
    JsonNode body = new ObjectMapper().readTree(post.body());
    assertThat(body.path("type").asText()).isEqualTo("delivery.delivered");
    assertThat(body.path("deliveryId").asText()).isEqualTo(DELIVERY);
    assertThat(body.path("status").asText()).isEqualTo("DELIVERED");
    assertThat(row(7).state()).isEqualTo(OutboxState.DELIVERED);
    assertThat(row(7).deliveredAt()).isNotNull();
    assertThat(row(7).attempts()).isEqualTo(1);
  }

  @Test
  void aFailedPostIsRetriedAfterTheBackoffAndNeverSentAgainOnceDelivered() {
    receiver.answers(500);
    notify(3, StatusEventType.NEEDS_ATTENTION);

    assertThat(dispatcher.dispatchDue()).isEqualTo(new WebhookDispatcher.Pass(1, 0, 1, 0));
    OutboxRecord afterFailure = row(3);
    assertThat(afterFailure.state()).isEqualTo(OutboxState.PENDING);
    assertThat(afterFailure.lastError()).isEqualTo("HTTP 500");
    assertThat(afterFailure.nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(1));

    // Not due before its backoff is over.
    assertThat(dispatcher.dispatchDue().claimed()).isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(dispatcher.dispatchDue()).isEqualTo(new WebhookDispatcher.Pass(1, 1, 0, 0));

    // However often and however much later it polls, a delivered event is not POSTed again.
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofHours(1));
      assertThat(dispatcher.dispatchDue().claimed()).isZero();
    }
    assertThat(receiver.received()).hasSize(2)
        .extracting(r -> r.header("webhook-id")).containsOnly(DELIVERY + ":3");
    assertThat(row(3).state()).isEqualTo(OutboxState.DELIVERED);
    assertThat(row(3).attempts()).isEqualTo(2);
    assertThat(registry.counter("relay_webhook_attempts", "outcome", "retry").count()).isEqualTo(1);
    assertThat(registry.counter("relay_webhook_attempts", "outcome", "delivered").count())
        .isEqualTo(1);
  }

  @Test
  void anEventIsFailedAfterTheLastAttempt() {
    receiver.answers(503, 503, 503, 200);
    notify(5, StatusEventType.EXPIRED);

    dispatcher.dispatchDue();
    clock.advance(Duration.ofSeconds(1));
    dispatcher.dispatchDue();
    clock.advance(Duration.ofSeconds(2)); // the backoff doubles
    assertThat(dispatcher.dispatchDue()).isEqualTo(new WebhookDispatcher.Pass(1, 0, 0, 1));

    OutboxRecord failed = row(5);
    assertThat(failed.state()).isEqualTo(OutboxState.FAILED);
    assertThat(failed.attempts()).isEqualTo(3);
    assertThat(failed.lastError()).isEqualTo("HTTP 503 (attempt 3 of 3)");
    clock.advance(Duration.ofDays(1));
    assertThat(dispatcher.dispatchDue().claimed()).isZero();
    assertThat(receiver.received()).hasSize(3);
  }

  @Test
  void aSlowEndpointTimesOutAndAClosedOneIsRetriedToo() throws Exception {
    receiver.slow(Duration.ofSeconds(6));
    notify(1, StatusEventType.DELAYED);

    long started = System.nanoTime();
    assertThat(dispatcher.dispatchDue()).isEqualTo(new WebhookDispatcher.Pass(1, 0, 1, 0));
    // A poll is bounded by the POST timeout, not by how long the endpoint takes.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(row(1).lastError()).contains("HttpTimeoutException");

    new StatusWebhookRepository(store.jdbi).configure(TENANT,
        "http://127.0.0.1:" + ScriptedSmtpServer.closedPort() + "/hook", SECRET);
    clock.advance(Duration.ofSeconds(1));
    assertThat(dispatcher.dispatchDue()).isEqualTo(new WebhookDispatcher.Pass(1, 0, 1, 0));
    assertThat(row(1).lastError()).contains("ConnectException");
  }

  @Test
  void onePollClaimsAtMostOneBatch() {
    WebhookDispatcher small = new WebhookDispatcher(outbox, new WebhookSettings(true,
        Duration.ofMillis(100), 2, Duration.ofSeconds(2), 3, Duration.ofSeconds(1), 2.0,
        Duration.ofSeconds(10)), null, clock);
    for (int sequence = 1; sequence <= 5; sequence++) {
      notify(sequence, StatusEventType.NEEDS_ATTENTION);
    }

    assertThat(small.dispatchDue().claimed()).isEqualTo(2);
    assertThat(small.dispatchDue().claimed()).isEqualTo(2);
    assertThat(small.dispatchDue().claimed()).isEqualTo(1);
    assertThat(small.dispatchDue().claimed()).isZero();
    assertThat(receiver.received()).extracting(r -> r.header("webhook-id")).doesNotHaveDuplicates()
        .hasSize(5);
  }

  @Test
  void eventsOfARemovedWebhookAreFailedWithoutAPost() {
    notify(4, StatusEventType.DELIVERED);
    new StatusWebhookRepository(store.jdbi).remove(TENANT);

    assertThat(dispatcher.dispatchDue()).isEqualTo(new WebhookDispatcher.Pass(1, 0, 0, 1));
    assertThat(row(4).state()).isEqualTo(OutboxState.FAILED);
    assertThat(row(4).lastError()).contains("no status webhook");
    assertThat(receiver.received()).isEmpty();
  }

  @Test
  void theBackoffDoublesUpToItsCap() {
    WebhookSettings defaults = WebhookSettings.defaults();
    assertThat(defaults.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(defaults.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(defaults.backoff(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(defaults.backoff(10)).isEqualTo(Duration.ofSeconds(512));
    assertThat(defaults.backoff(11)).isEqualTo(Duration.ofMinutes(10));
    assertThat(defaults.maxAttempts()).isEqualTo(12);
    assertThat(defaults.lease()).isGreaterThan(defaults.timeout());
  }

  private void notify(long sequence, StatusEventType type) {
    notifications.notifyStatus(new StatusNotification(TENANT, DELIVERY, sequence, type,
        type == StatusEventType.DELIVERED ? DeliveryStatus.DELIVERED : DeliveryStatus.SENDING,
        Channel.EMAIL, 1, null, Instant.parse("2026-11-20T10:00:00Z")));
  }

  private OutboxRecord row(long sequence) {
    return outbox.find(DELIVERY + ":" + sequence).orElseThrow();
  }

  /** A receiver's check, written independently of {@link WebhookSignature}. */
  private static boolean verify(String secret, WebhookReceiver.Received post) throws Exception {
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    String signed = post.header("webhook-id") + "." + post.header("webhook-timestamp") + "."
        + post.body();
    String expected = Base64.getEncoder().encodeToString(
        mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    for (String signature : post.header("webhook-signature").split(" ")) {
      if (signature.equals("v1," + expected)) {
        return true;
      }
    }
    return false;
  }

  /** A clock the test moves forward. */
  static final class TestClock extends Clock {
    private final AtomicReference<Instant> now;

    TestClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void advance(Duration by) {
      now.updateAndGet(t -> t.plus(by));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
