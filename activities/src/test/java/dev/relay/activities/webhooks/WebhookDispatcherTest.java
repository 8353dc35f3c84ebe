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
import dev.relay.guard.net.HostResolver;
import dev.relay.guard.net.OutboundPolicy;
import dev.relay.store.webhook.OutboxRecord;
import dev.relay.store.webhook.OutboxState;
import dev.relay.store.webhook.StatusWebhookRepository;
import dev.relay.store.webhook.WebhookOutboxRepository;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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

  /** The local-development policy: the receiver is plain http on loopback. */
  private static final OutboundPolicy LOCAL = new OutboundPolicy(HostResolver.SYSTEM, true);

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
    // Ahead of the database clock, so events queued "now" are due (also on a loaded machine).
    clock = new TestClock(Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.MICROS));
    registry = new SimpleMeterRegistry();
    dispatcher = new WebhookDispatcher(outbox, SETTINGS, registry, clock, LOCAL);
    new StatusWebhookRepository(store.jdbi).configure(TENANT, receiver.url("/hooks/relay"), SECRET);
  }

  @AfterEach
  void tearDown() {
    dispatcher.close();
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
    assertThat(row(1).lastError()).contains("SocketTimeoutException");

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
        Duration.ofSeconds(10)), null, clock, LOCAL);
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
  void aHostThatNowResolvesToLoopbackIsRefusedAtSendTimeAndFailedAtOnce() {
    // Accepted when it was set (public then); DNS has changed since.
    HostResolver rebound = host -> host.equals("hooks.tenant.example")
        ? List.of(InetAddress.getLoopbackAddress()) : HostResolver.SYSTEM.resolve(host);
    try (WebhookDispatcher strict = new WebhookDispatcher(outbox, SETTINGS, registry, clock,
        new OutboundPolicy(rebound, false))) {
      new StatusWebhookRepository(store.jdbi).configure(TENANT,
          "https://hooks.tenant.example:" + receiver.port() + "/hook", SECRET);
      notify(8, StatusEventType.DELIVERED);

      assertThat(strict.dispatchDue()).isEqualTo(new WebhookDispatcher.Pass(1, 0, 0, 1));
    }
    OutboxRecord refused = row(8);
    assertThat(refused.state()).isEqualTo(OutboxState.FAILED);
    assertThat(refused.attempts()).isEqualTo(1);
    assertThat(refused.lastError()).startsWith("refused: hooks.tenant.example resolves to "
        + "127.0.0.1, which is a loopback address (127.0.0.0/8)");
    assertThat(receiver.received()).isEmpty();
    clock.advance(Duration.ofDays(1));
    assertThat(dispatcher.dispatchDue().claimed()).isZero(); // no retry loop
  }

  @Test
  void refusedUrlsFailWithoutAConnection() {
    try (WebhookDispatcher strict = new WebhookDispatcher(outbox, SETTINGS, registry, clock,
        OutboundPolicy.strict())) {
      String[][] cases = {
          {"https://169.254.169.254/latest/meta-data", "link-local"},
          {"https://10.0.0.1/hook", "private address (RFC 1918)"},
          {"https://[::1]/hook", "loopback"},
          {receiver.url("/hooks/relay"), "must be an https URL"}};
      int sequence = 20;
      for (String[] c : cases) {
        new StatusWebhookRepository(store.jdbi).configure(TENANT, c[0], SECRET);
        notify(sequence, StatusEventType.DELIVERED);
        assertThat(strict.dispatchDue()).as(c[0]).isEqualTo(new WebhookDispatcher.Pass(1, 0, 0, 1));
        assertThat(row(sequence).state()).isEqualTo(OutboxState.FAILED);
        assertThat(row(sequence).lastError()).as(c[0]).startsWith("refused: ").contains(c[1]);
        sequence++;
      }
    }
    assertThat(receiver.received()).isEmpty();
    assertThat(registry.counter("relay_webhook_attempts", "outcome", "failed").count())
        .isEqualTo(4);
  }

  @Test
  void theConnectionGoesToTheAddressCheckedWithOneLookupAndKeepsTheHostName() {
    // A name the test's DNS controls: each lookup is counted, and the answer can be changed.
    AtomicReference<String> answer = new AtomicReference<>("127.0.0.1");
    AtomicInteger lookups = new AtomicInteger();
    HostResolver dns = host -> {
      if (!host.equals("rebind.tenant.example")) {
        return HostResolver.SYSTEM.resolve(host);
      }
      lookups.incrementAndGet();
      return List.of(InetAddress.getByName(answer.get()));
    };
    try (WebhookDispatcher pinned = new WebhookDispatcher(outbox, SETTINGS, registry, clock,
        new OutboundPolicy(dns, true))) {
      new StatusWebhookRepository(store.jdbi).configure(TENANT,
          "http://rebind.tenant.example:" + receiver.port() + "/hook", SECRET);
      notify(30, StatusEventType.DELIVERED);
      assertThat(pinned.dispatchDue()).isEqualTo(new WebhookDispatcher.Pass(1, 1, 0, 0));
      // The client did not look the name up a second time (it connected to what was checked)...
      assertThat(lookups).hasValue(1);
      // ...and the request still names the host, as TLS (SNI) and virtual hosting need.
      assertThat(receiver.received().get(0).header("Host"))
          .isEqualTo("rebind.tenant.example:" + receiver.port());

      // The name now points at the metadata service: refused, not sent, not retried.
      answer.set("169.254.169.254");
      notify(31, StatusEventType.DELIVERED);
    }
    // A new connection (a pooled one stays with the address checked for it) looks it up again.
    try (WebhookDispatcher pinned = new WebhookDispatcher(outbox, SETTINGS, registry, clock,
        new OutboundPolicy(dns, true))) {
      assertThat(pinned.dispatchDue()).isEqualTo(new WebhookDispatcher.Pass(1, 0, 0, 1));
      assertThat(row(31).lastError()).contains("169.254.169.254").contains("link-local");
    }
    assertThat(receiver.received()).hasSize(1);
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
