package dev.relay.activities.channels.routing;

import static dev.relay.activities.Failures.expectFailure;
import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.relay.activities.TestStore;
import dev.relay.activities.channels.LedgeredSend;
import dev.relay.activities.channels.ScriptedSmtpServer;
import dev.relay.activities.channels.ScriptedSmtpServer.Stage;
import dev.relay.activities.channels.email.EmailChannel;
import dev.relay.activities.channels.email.SmtpProvider;
import dev.relay.activities.config.ProviderPolicy;
import dev.relay.activities.config.RoutingSettings;
import dev.relay.activities.config.SmtpSettings;
import dev.relay.activities.payload.PayloadActivitiesImpl;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.activities.PayloadRequest;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.store.delivery.SendLedgerEntry;
import dev.relay.store.provider.ProviderEvent;
import dev.relay.store.provider.ProviderEventRepository;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Health-aware routing over two real SMTP relays (GreenMail), with real circuit breakers, rate
 * limits, the send ledger and provider_events in PostgreSQL. Durations are small; waits poll
 * with a bound, they never sleep a fixed time to assert something.
 */
class EmailRoutingTest {
  private static final String DOMAIN = "relay.test";
  private static final String PRIMARY = EmailChannel.PRIMARY;
  private static final String SECONDARY = EmailChannel.SECONDARY;
  private static final Duration BOUND = Duration.ofSeconds(15);

  /** Trips after two calls that are all failures, half-opens after 3 s, one trial call. */
  private static final ProviderPolicy TRIPPY = new ProviderPolicy(50f, 100f,
      Duration.ofSeconds(5), Duration.ofSeconds(30), 2, Duration.ofSeconds(3), 1,
      100, Duration.ofSeconds(1), Duration.ofSeconds(5));

  private TestStore store;
  private GreenMail secondary;
  private final List<AutoCloseable> peers = new ArrayList<>();
  private SimpleMeterRegistry metrics;
  private ProviderEventLog eventLog;
  private ProviderRouting routing;
  private ProviderEventRepository events;
  private int deliveries;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    store.templates.upsert(TENANT, "note", "Note", null, "Just text", null);
    secondary = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    secondary.start();
    metrics = new SimpleMeterRegistry();
    events = new ProviderEventRepository(store.jdbi);
    eventLog = new ProviderEventLog(events);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable peer : peers) {
      peer.close();
    }
    secondary.stop();
    eventLog.close();
    store.close();
  }

  @Test
  void primaryDownTheMailArrivesAtTheSecondaryAndTheLedgerNamesIt() {
    EmailChannel email = channel(RoutingSettings.standard(),
        ScriptedSmtpServer.closedPort(), secondary.getSmtp().getPort());
    SendRequest request = request();

    SendResult result = email.send(request);

    assertThat(result.provider()).isEqualTo(SECONDARY);
    assertThat(secondary.getReceivedMessages()).hasSize(1);
    SendLedgerEntry entry = store.ledger.find(request.sendKey()).orElseThrow();
    assertThat(entry.sent()).isTrue();
    assertThat(entry.provider()).isEqualTo(SECONDARY);
    assertThat(entry.tries()).isEqualTo(2); // the primary's failed call, then the secondary's
    assertThat(calls(PRIMARY, "failover")).isEqualTo(1);
    assertThat(calls(SECONDARY, "accepted")).isEqualTo(1);
  }

  @Test
  void refusedGreetingFailsOverToTheSecondary() {
    ScriptedSmtpServer busy =
        peer(ScriptedSmtpServer.replying(Stage.GREETING, "421 4.3.2 service not available"));
    EmailChannel email = channel(RoutingSettings.standard(), busy.port(),
        secondary.getSmtp().getPort());

    assertThat(email.send(request()).provider()).isEqualTo(SECONDARY);
    assertThat(secondary.getReceivedMessages()).hasSize(1);
  }

  @Test
  void breakerOpensSoThePrimaryIsSkippedWithoutAConnectThenHalfOpensAndRecovers()
      throws Exception {
    RefusingServer down = peer(new RefusingServer());
    int primaryPort = down.port();
    EmailChannel email = channel(RoutingSettings.of(TRIPPY), primaryPort,
        secondary.getSmtp().getPort());

    // Two sends: the primary fails both (2 of 2 calls failed), the secondary takes them.
    assertThat(email.send(request()).provider()).isEqualTo(SECONDARY);
    assertThat(email.send(request()).provider()).isEqualTo(SECONDARY);
    assertThat(down.connections()).isEqualTo(2);
    assertThat(state(PRIMARY)).isEqualTo(State.OPEN);

    // Open: the next send goes straight to the secondary, no connection to the primary.
    assertThat(email.send(request()).provider()).isEqualTo(SECONDARY);
    assertThat(down.connections()).isEqualTo(2);
    assertThat(calls(PRIMARY, "not_permitted")).isEqualTo(1);
    assertThat(gauge("relay_provider_state", PRIMARY)).isEqualTo(2.0);

    // The primary comes back on its port; the breaker half-opens by itself after its wait.
    down.close();
    GreenMail primary = new GreenMail(new ServerSetup(primaryPort, "127.0.0.1", "smtp"));
    primary.start();
    peers.add(primary::stop);
    await("primary breaker half-open", () -> state(PRIMARY), s -> s == State.HALF_OPEN);

    SendRequest trial = request();
    SendResult recovered = email.send(trial);

    assertThat(recovered.provider()).isEqualTo(PRIMARY);
    assertThat(store.ledger.find(trial.sendKey()).orElseThrow().provider()).isEqualTo(PRIMARY);
    assertThat(primary.getReceivedMessages()).hasSize(1);
    assertThat(secondary.getReceivedMessages()).hasSize(3);
    assertThat(state(PRIMARY)).isEqualTo(State.CLOSED);
    assertThat(gauge("relay_provider_state", PRIMARY)).isEqualTo(0.0);

    // Every transition is on record with its time, oldest first here.
    List<ProviderEvent> recorded = new ArrayList<>(await("three transitions recorded",
        () -> events.recent(PRIMARY, 10), list -> list.size() == 3));
    java.util.Collections.reverse(recorded);
    assertThat(recorded).extracting(ProviderEvent::fromState, ProviderEvent::toState)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("CLOSED", "OPEN"),
            org.assertj.core.groups.Tuple.tuple("OPEN", "HALF_OPEN"),
            org.assertj.core.groups.Tuple.tuple("HALF_OPEN", "CLOSED"));
    assertThat(recorded).allSatisfy(e -> assertThat(e.channel()).isEqualTo("EMAIL"));
    assertThat(recorded.get(0).detail()).contains("failure rate 100.0%");
    assertThat(Duration.between(recorded.get(0).occurredAt(), recorded.get(1).occurredAt()))
        .isGreaterThanOrEqualTo(TRIPPY.waitInOpen().minusMillis(50));
    assertThat(recorded.get(2).occurredAt()).isAfterOrEqualTo(recorded.get(1).occurredAt());
    assertThat(events.providers()).extracting(p -> p.name()).contains(PRIMARY, SECONDARY);
    assertThat(events.recent(SECONDARY, 10)).isEmpty();
  }

  @Test
  void anAmbiguousFailureDoesNotFailOverAndTheResendKeepsItsMessageId() throws Exception {
    ScriptedSmtpServer dropping = peer(ScriptedSmtpServer.droppingAfterData());
    EmailChannel email = channel(RoutingSettings.standard(), dropping.port(),
        secondary.getSmtp().getPort());
    SendRequest request = request();

    expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE, () -> email.send(request));

    // The primary may have queued it: the secondary is not asked in this try.
    assertThat(dropping.messages()).hasSize(1);
    assertThat(secondary.getReceivedMessages()).isEmpty();
    SendLedgerEntry inDoubt = store.ledger.find(request.sendKey()).orElseThrow();
    assertThat(inDoubt.inFlight()).isTrue();
    assertThat(inDoubt.provider()).isEqualTo(PRIMARY);
    assertThat(calls(PRIMARY, "ambiguous")).isEqualTo(1);

    // Later the primary is out of rotation: the in-doubt resend goes to the secondary with the
    // same Message-ID (receivers dedupe on it) and is counted as a possible duplicate.
    routing.guard(PRIMARY).orElseThrow().breaker().transitionToForcedOpenState();
    SendResult resent = email.send(request);

    String messageId = EmailChannel.messageId(request.sendKey(), DOMAIN);
    assertThat(resent.provider()).isEqualTo(SECONDARY);
    assertThat(resent.providerMessageId()).isEqualTo(messageId);
    assertThat(dropping.messages().get(0)).contains("Message-ID: " + messageId);
    assertThat(secondary.getReceivedMessages()[0].getMessageID()).isEqualTo(messageId);
    assertThat(metrics.get("relay_send_possible_duplicates").tag("provider", SECONDARY)
        .counter().count()).isEqualTo(1.0);
  }

  @Test
  void everyProviderDownIsUnavailableAndRetryableAndOpenBreakersAreNotCalled() {
    RefusingServer first = peer(new RefusingServer());
    RefusingServer second = peer(new RefusingServer());
    EmailChannel email = channel(RoutingSettings.of(TRIPPY), first.port(), second.port());

    for (int i = 0; i < 2; i++) {
      var failure = expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
          () -> email.send(request()));
      assertThat(failure.getOriginalMessage())
          .contains("no email provider took the message", PRIMARY, SECONDARY);
    }
    assertThat(state(PRIMARY)).isEqualTo(State.OPEN);
    assertThat(state(SECONDARY)).isEqualTo(State.OPEN);

    SendRequest request = request();
    var failure = expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
        () -> email.send(request));

    assertThat(failure.getOriginalMessage()).contains("circuit breaker OPEN");
    // It tells the workflow when a breaker half-opens, so the next try is not wasted.
    assertThat(failure.getNextRetryDelay()).isPositive()
        .isLessThanOrEqualTo(TRIPPY.waitInOpen());
    assertThat(first.connections() + second.connections()).isEqualTo(4);
    // No provider was called for it: nothing in the ledger, the next try starts clean.
    assertThat(store.ledger.find(request.sendKey())).isEmpty();
  }

  @Test
  void aRateLimitMakesExcessSendsWaitInsteadOfFailing() throws Exception {
    ProviderPolicy twoPerHalfSecond = new ProviderPolicy(50f, 100f, Duration.ofSeconds(5),
        Duration.ofSeconds(30), 20, Duration.ofSeconds(15), 3, 2, Duration.ofMillis(500),
        Duration.ofSeconds(5));
    EmailChannel email = channel(RoutingSettings.of(twoPerHalfSecond),
        secondary.getSmtp().getPort());
    List<SendRequest> requests = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      requests.add(request());
    }
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      long start = System.nanoTime();
      List<Future<SendResult>> sends = new ArrayList<>();
      for (SendRequest r : requests) {
        sends.add(pool.submit(() -> email.send(r)));
      }
      for (Future<SendResult> send : sends) {
        assertThat(send.get().provider()).isEqualTo(PRIMARY); // none fails
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      // 6 sends at 2 per 500 ms need three refresh periods: whatever the phase of the first,
      // the last permit comes more than one full period after the first send.
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(500));
      assertThat(secondary.getReceivedMessages()).hasSize(6);
      assertThat(calls(PRIMARY, "accepted")).isEqualTo(6);
      assertThat(calls(PRIMARY, "rate_limited")).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aProviderWhoseRateLimitDoesNotFreeUpInTimeHandsOverToTheNext() throws Exception {
    GreenMail primary = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    primary.start();
    peers.add(primary::stop);
    ProviderPolicy onePerMinute = new ProviderPolicy(50f, 100f, Duration.ofSeconds(5),
        Duration.ofSeconds(30), 20, Duration.ofSeconds(15), 3, 1, Duration.ofMinutes(1),
        Duration.ofMillis(100));
    EmailChannel email = channel(new RoutingSettings(ProviderPolicy.defaults(),
        Map.of(PRIMARY, onePerMinute)), primary.getSmtp().getPort(),
        secondary.getSmtp().getPort());

    assertThat(email.send(request()).provider()).isEqualTo(PRIMARY);
    assertThat(email.send(request()).provider()).isEqualTo(SECONDARY);
    assertThat(calls(PRIMARY, "rate_limited")).isEqualTo(1);
  }

  // ------------------------------------------------------------------ helpers

  /** Email over relays on {@code ports}: smtp-primary, then smtp-secondary. */
  private EmailChannel channel(RoutingSettings settings, int... ports) {
    routing = new ProviderRouting(settings, eventLog, metrics);
    List<SmtpProvider> relays = new ArrayList<>();
    String[] names = {PRIMARY, SECONDARY};
    for (int i = 0; i < ports.length; i++) {
      relays.add(new SmtpProvider(names[i], new SmtpSettings("127.0.0.1", ports[i], null, null,
          false, "Relay <relay@localhost>", Duration.ofSeconds(2)), DOMAIN));
    }
    return new EmailChannel(routing.route(Channel.EMAIL, relays, true), store.rendered,
        store.documents, new LedgeredSend(store.ledger, store.unitOfWork));
  }

  /** A send of a new delivery, its payload prepared. */
  private SendRequest request() {
    String delivery = DeliveryIds.deliveryId(TENANT, "routing-" + (++deliveries));
    var prepared = new PayloadActivitiesImpl(store.templates, store.documents, store.rendered)
        .preparePayload(new PayloadRequest(TENANT, delivery, "note", Map.of(), List.of(),
            Channel.EMAIL));
    return new SendRequest(TENANT, delivery, Channel.EMAIL,
        DeliveryIds.sendKey(delivery, Channel.EMAIL, 1), 1, 1, "ann@example.com", prepared);
  }

  private State state(String provider) {
    return routing.guard(provider).orElseThrow().state();
  }

  private double calls(String provider, String outcome) {
    var counter = metrics.find("relay_provider_calls").tag("provider", provider)
        .tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  private double gauge(String name, String provider) {
    return metrics.get(name).tag("provider", provider).gauge().value();
  }

  private <T extends AutoCloseable> T peer(T peer) {
    peers.add(peer);
    return peer;
  }

  private static <T> T await(String what, Supplier<T> probe, Predicate<T> done) {
    long until = System.nanoTime() + BOUND.toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > until) {
        throw new AssertionError(what + " not reached within " + BOUND + "; last: " + last);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      last = probe.get();
    }
    return last;
  }

  /** A relay that is down but reachable: it accepts each connection and closes it at once. */
  static final class RefusingServer implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread thread;

    RefusingServer() {
      try {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      thread = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket ignored = server.accept()) {
            connections.incrementAndGet();
          } catch (IOException e) {
            // closed
          }
        }
      }, "refusing-smtp");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int connections() {
      return connections.get();
    }

    @Override
    public void close() throws IOException {
      server.close();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
