package dev.relay.activities.channels;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.relay.activities.Failures.expectFailure;
import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.relay.activities.TestStore;
import dev.relay.activities.channels.ScriptedSmtpServer.Stage;
import dev.relay.activities.channels.email.EmailChannel;
import dev.relay.activities.channels.email.SmtpProvider;
import dev.relay.activities.channels.routing.ProviderEvents;
import dev.relay.activities.channels.routing.ProviderRouting;
import dev.relay.activities.channels.sms.SmsChannel;
import dev.relay.activities.channels.sms.TwilioProvider;
import dev.relay.activities.config.ProviderPolicy;
import dev.relay.activities.config.RoutingSettings;
import dev.relay.activities.config.SmtpSettings;
import dev.relay.activities.config.TwilioSettings;
import dev.relay.activities.payload.PayloadActivitiesImpl;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.AcceptRecord;
import dev.relay.contracts.activities.AuditBatch;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.PayloadRequest;
import dev.relay.contracts.activities.PreparedPayload;
import dev.relay.contracts.activities.SendOutcome;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.contracts.activities.StatusEventType;
import dev.relay.store.audit.AuditRecord;
import dev.relay.store.webhook.OutboxRecord;
import dev.relay.store.webhook.StatusWebhookRepository;
import dev.relay.store.webhook.WebhookOutboxRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code send} on the lean path: one try that returns refusals and records its acceptance with
 * the ledger. Real SMTP (GreenMail, scripted relays), a Twilio HTTP peer and PostgreSQL.
 */
class LeanSendTest {
  private static final String DELIVERY = DeliveryIds.deliveryId(TENANT, "lean-1");
  private static final String EMAIL_KEY = DeliveryIds.sendKey(DELIVERY, Channel.EMAIL, 1);
  private static final String SMS_KEY = DeliveryIds.sendKey(DELIVERY, Channel.SMS, 1);
  private static final String DOMAIN = "relay.test";
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00.123456Z");
  private static final AcceptRecord DELIVERED =
      new AcceptRecord(3, DeliveryStatus.DELIVERED, StatusEventType.DELIVERED);

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private TestStore store;
  private PreparedPayload email;
  private WebhookOutboxRepository outbox;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    outbox = new WebhookOutboxRepository(store.jdbi);
    new StatusWebhookRepository(store.jdbi).configure(TENANT, "https://hooks.acme.test/relay",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    store.deliveries.accept(DELIVERY, TENANT, "lean-1", "h", "{}", "r1", "results", "results",
        "ACCEPTED");
    store.templates.upsert(TENANT, "results", "Your results", null, "Dear Ann", "Ann: ready");
    email = prepare(Channel.EMAIL);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void anAcceptedMailIsRecordedWithTheLedgerAndARetryReturnsTheSameEvent() {
    ChannelActivitiesImpl channels = emailOver(greenMail.getSmtp().getPort());
    SendRequest request = emailRequest(email, pending(), DELIVERED);

    SendOutcome first = channels.send(request);
    SendOutcome retry = channels.send(request); // the retry after a lost response

    String messageId = EmailChannel.messageId(EMAIL_KEY, DOMAIN);
    assertThat(first.accepted())
        .isEqualTo(new SendResult(EmailChannel.PRIMARY, messageId, false));
    assertThat(first.recorded()).isEqualTo(new AuditEvent(TENANT, DELIVERY, 3,
        first.recorded().occurredAt(), "relay", "send", "accepted",
        "try 1 accepted by smtp-primary", DeliveryStatus.DELIVERED, Channel.EMAIL, 1, null,
        EmailChannel.PRIMARY, messageId));
    assertThat(retry.accepted().fromLedger()).isTrue();
    assertThat(retry.recorded()).isEqualTo(first.recorded());
    assertThat(greenMail.getReceivedMessages()).hasSize(1);

    assertThat(store.ledger.find(EMAIL_KEY).orElseThrow().sent()).isTrue();
    List<AuditRecord> trail = store.audit.forDelivery(TENANT, DELIVERY);
    assertThat(trail).extracting(AuditRecord::step).containsExactly("accepted", "verify", "send");
    assertThat(trail.get(2).occurredAt()).isEqualTo(first.recorded().occurredAt());
    assertThat(store.audit.verifyChain(TENANT).intact()).isTrue();
    var delivery = store.deliveries.find(TENANT, DELIVERY).orElseThrow();
    assertThat(delivery.status()).isEqualTo("DELIVERED");
    assertThat(delivery.reason()).isEqualTo("try 1 accepted by smtp-primary");
    List<OutboxRecord> queued = outbox.forDelivery(DELIVERY);
    assertThat(queued).singleElement().satisfies(row -> {
      assertThat(row.eventId()).isEqualTo(DeliveryIds.eventId(DELIVERY, 3));
      assertThat(row.type()).isEqualTo("delivery.delivered");
      assertThat(row.payloadJson()).contains("DELIVERED", "EMAIL",
          first.recorded().occurredAt().toString());
    });
  }

  @Test
  void aSendTheLedgerAlreadyHadIsRecordedFromTheLedgerWithoutCallingTheRelay() {
    store.ledger.begin(EMAIL_KEY, TENANT, DELIVERY, "EMAIL", 1, EmailChannel.PRIMARY);
    store.ledger.markSent(EMAIL_KEY, EmailChannel.PRIMARY, "<earlier@relay.test>");

    SendOutcome outcome = emailOver(greenMail.getSmtp().getPort())
        .send(emailRequest(email, AuditBatch.EMPTY, DELIVERED));

    assertThat(outcome.recorded().detail())
        .isEqualTo("try 1 accepted by smtp-primary (from send ledger)");
    assertThat(outcome.recorded().providerMessageId()).isEqualTo("<earlier@relay.test>");
    assertThat(greenMail.getReceivedMessages()).isEmpty();
    assertThat(store.deliveries.find(TENANT, DELIVERY).orElseThrow().status())
        .isEqualTo("DELIVERED");
  }

  @Test
  void aNewRoundSettlesTheInDoubtSendAndRecordsItsAcceptanceWithBothKeys() {
    store.ledger.begin(EMAIL_KEY, TENANT, DELIVERY, "EMAIL", 1, EmailChannel.PRIMARY);
    String round2 = DeliveryIds.sendKey(DELIVERY, Channel.EMAIL, 2);
    SendRequest request = new SendRequest(TENANT, DELIVERY, Channel.EMAIL, round2, 2, 1,
        "ann@example.com", email, AuditBatch.EMPTY, DELIVERED);

    SendOutcome outcome = emailOver(greenMail.getSmtp().getPort()).send(request);

    String roundOneId = EmailChannel.messageId(EMAIL_KEY, DOMAIN);
    assertThat(outcome.accepted().providerMessageId()).isEqualTo(roundOneId);
    assertThat(outcome.recorded().attempts()).isEqualTo(2);
    assertThat(store.ledger.find(EMAIL_KEY).orElseThrow().sent()).isTrue();
    assertThat(store.ledger.find(round2).orElseThrow().providerMessageId()).isEqualTo(roundOneId);
    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).singleElement()
        .satisfies(e -> assertThat(e.providerMessageId()).isEqualTo(roundOneId));
  }

  @Test
  void withoutAnAcceptRecordNothingIsAudited() {
    SendOutcome outcome = emailOver(greenMail.getSmtp().getPort())
        .send(emailRequest(email, AuditBatch.EMPTY, null));

    assertThat(outcome.isAccepted()).isTrue();
    assertThat(outcome.recorded()).isNull();
    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).isEmpty();
    assertThat(store.ledger.find(EMAIL_KEY).orElseThrow().sent()).isTrue();
  }

  @Test
  void aPermanentRefusalIsReturnedAfterThePendingBatchIsWritten() throws Exception {
    try (ScriptedSmtpServer relay =
        ScriptedSmtpServer.replying(Stage.RCPT, "550 5.1.1 <ann@example.com>: no such user")) {
      SendOutcome outcome = emailOver(relay.port()).send(emailRequest(email, pending(), DELIVERED));

      assertThat(outcome.isAccepted()).isFalse();
      assertThat(outcome.permanent()).isTrue();
      assertThat(outcome.failureType()).isEqualTo(DeliveryErrorType.PROVIDER_REJECTED);
      assertThat(outcome.failure()).contains("550", EmailChannel.PRIMARY)
          .doesNotContain("ann@example.com");
      assertThat(outcome.retryAfter()).isZero();
    }
    assertThat(store.ledger.find(EMAIL_KEY).orElseThrow().state()).isEqualTo("FAILED");
    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).extracting(AuditRecord::step)
        .containsExactly("accepted", "verify");
    assertThat(outbox.forDelivery(DELIVERY)).isEmpty();
  }

  @Test
  void aTemporaryRefusalIsReturnedAsUnavailable() throws Exception {
    try (ScriptedSmtpServer relay =
        ScriptedSmtpServer.replying(Stage.MAIL, "451 4.3.0 try again later")) {
      SendOutcome outcome = emailOver(relay.port())
          .send(emailRequest(email, AuditBatch.EMPTY, DELIVERED));

      assertThat(outcome.failureType()).isEqualTo(DeliveryErrorType.PROVIDER_UNAVAILABLE);
      assertThat(outcome.permanent()).isFalse();
      assertThat(outcome.failure()).contains("451");
      assertThat(outcome.retryAfter()).isZero();
    }
  }

  @Test
  void anOpenBreakerIsReturnedWithWhenToTryAgainAndNoRelayIsCalled() {
    // Trips after two calls that all failed; stays open for 30 s.
    ProviderPolicy trippy = new ProviderPolicy(50f, 100f, Duration.ofSeconds(5),
        Duration.ofSeconds(30), 2, Duration.ofSeconds(30), 1, 100, Duration.ofSeconds(1),
        Duration.ofSeconds(5));
    ChannelActivitiesImpl channels =
        emailOver(RoutingSettings.of(trippy), ScriptedSmtpServer.closedPort());
    SendRequest request = emailRequest(email, AuditBatch.EMPTY, DELIVERED);
    for (int i = 0; i < 2; i++) {
      SendOutcome down = channels.send(request);
      assertThat(down.failureType()).isEqualTo(DeliveryErrorType.PROVIDER_UNAVAILABLE);
      assertThat(down.retryAfter()).isZero(); // the relay was called: no hint
    }

    SendOutcome outcome = channels.send(request);

    assertThat(outcome.failureType()).isEqualTo(DeliveryErrorType.PROVIDER_UNAVAILABLE);
    assertThat(outcome.failure()).contains("circuit breaker OPEN");
    assertThat(outcome.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30));
    assertThat(store.ledger.find(EMAIL_KEY).orElseThrow().tries()).isEqualTo(2);
  }

  @Test
  void aPayloadThatIsNotThePreparedOneIsReturnedAsARefusal() {
    PreparedPayload stale = new PreparedPayload(email.payloadRef(), Channel.EMAIL,
        DeliveryIds.sha256Hex("an older rendering"), List.of());

    SendOutcome outcome = emailOver(greenMail.getSmtp().getPort())
        .send(emailRequest(stale, AuditBatch.EMPTY, DELIVERED));

    assertThat(outcome.failureType()).isEqualTo(DeliveryErrorType.PAYLOAD_DIGEST_MISMATCH);
    assertThat(outcome.permanent()).isTrue();
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void aDatabaseOutageIsThrownAsStoreUnavailableAndNothingIsSent() {
    ChannelActivitiesImpl channels = emailOver(greenMail.getSmtp().getPort());
    store.dataSource.close();

    expectFailure(DeliveryErrorType.STORE_UNAVAILABLE,
        () -> channels.send(emailRequest(email, pending(), DELIVERED)));
    expectFailure(DeliveryErrorType.STORE_UNAVAILABLE,
        () -> channels.send(emailRequest(email, AuditBatch.EMPTY, DELIVERED)));

    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void anAcceptedSmsAwaitsItsReceiptAndTellsTheClientNothingYet() {
    WireMockServer twilio = new WireMockServer(options().dynamicPort());
    twilio.start();
    try {
      twilio.stubFor(post(urlEqualTo(messages())).willReturn(aResponse().withStatus(201)
          .withHeader("Content-Type", "application/json")
          .withBody("{\"sid\": \"SM0001\", \"status\": \"queued\", \"body\": \"Ann: ready\"}")));
      SendRequest request = new SendRequest(TENANT, DELIVERY, Channel.SMS, SMS_KEY, 1, 2,
          "+15558675310", prepare(Channel.SMS), AuditBatch.EMPTY,
          new AcceptRecord(5, DeliveryStatus.AWAITING_RECEIPT, null));

      SendOutcome outcome = smsOver(twilio.port()).send(request);

      assertThat(outcome.accepted()).isEqualTo(new SendResult("twilio", "SM0001", false));
      assertThat(outcome.recorded().detail()).isEqualTo("try 2 accepted by twilio");
      assertThat(outcome.recorded().status()).isEqualTo(DeliveryStatus.AWAITING_RECEIPT);
      assertThat(store.deliveries.find(TENANT, DELIVERY).orElseThrow().status())
          .isEqualTo("AWAITING_RECEIPT");
      assertThat(outbox.forDelivery(DELIVERY)).isEmpty();
    } finally {
      twilio.stop();
    }
  }

  @Test
  void twilioRefusalsAreReturned() {
    WireMockServer twilio = new WireMockServer(options().dynamicPort());
    twilio.start();
    try {
      twilio.stubFor(post(urlEqualTo(messages())).willReturn(twilioError(400, 21211)));
      SendOutcome invalid = smsOver(twilio.port()).send(smsRequest());
      assertThat(invalid.failureType()).isEqualTo(DeliveryErrorType.PROVIDER_REJECTED);

      twilio.resetAll();
      twilio.stubFor(post(urlEqualTo(messages())).willReturn(twilioError(503, 20503)));
      SendOutcome down = smsOver(twilio.port()).send(smsRequest());
      assertThat(down.failureType()).isEqualTo(DeliveryErrorType.PROVIDER_UNAVAILABLE);
      assertThat(down.retryAfter()).isZero();
      twilio.verify(1, postRequestedFor(urlEqualTo(messages())));
    } finally {
      twilio.stop();
    }
    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  private ChannelActivitiesImpl emailOver(int port) {
    return emailOver(RoutingSettings.standard(), port);
  }

  private ChannelActivitiesImpl emailOver(RoutingSettings settings, int port) {
    ProviderRouting routing = new ProviderRouting(settings, ProviderEvents.NONE, null);
    SmtpSettings smtp = new SmtpSettings("127.0.0.1", port, null, null, false,
        "Relay <relay@localhost>", Duration.ofSeconds(5));
    LedgeredSend ledger = new LedgeredSend(store.ledger, store.unitOfWork);
    EmailChannel channel = new EmailChannel(routing.route(Channel.EMAIL,
        List.of(new SmtpProvider(EmailChannel.PRIMARY, smtp, DOMAIN)), true),
        store.rendered, store.documents, ledger);
    SmsChannel none = new SmsChannel(routing.route(Channel.SMS, List.of(), false),
        store.rendered, ledger);
    return new ChannelActivitiesImpl(channel, none, store.bookkeeping, Clock.systemUTC());
  }

  private ChannelActivitiesImpl smsOver(int port) {
    ProviderRouting routing = new ProviderRouting(RoutingSettings.standard(), ProviderEvents.NONE, null);
    TwilioSettings settings = new TwilioSettings(ACCOUNT, "token", "+15005550006",
        "http://localhost:" + port, "https://relay.example.com/", Duration.ofSeconds(5));
    LedgeredSend ledger = new LedgeredSend(store.ledger, store.unitOfWork);
    SmsChannel sms = new SmsChannel(routing.route(Channel.SMS,
        List.of(new TwilioProvider(SmsChannel.PROVIDER, settings, store.ledger,
            Clock.fixed(T0, ZoneOffset.UTC))), false), store.rendered, ledger);
    EmailChannel none = new EmailChannel(routing.route(Channel.EMAIL, List.of(), true),
        store.rendered, store.documents, ledger);
    return new ChannelActivitiesImpl(none, sms, store.bookkeeping, Clock.systemUTC());
  }

  private static final String ACCOUNT = "AC00000000000000000000000000000001";

  private static String messages() {
    return "/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json";
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder twilioError(
      int status, int code) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
        .withBody("{\"code\": %d, \"message\": \"refused\", \"status\": %d}"
            .formatted(code, status));
  }

  private PreparedPayload prepare(Channel channel) {
    return new PayloadActivitiesImpl(store.templates, store.documents, store.rendered)
        .preparePayload(new PayloadRequest(TENANT, DELIVERY, "results", Map.of(), List.of(),
            channel));
  }

  private SendRequest smsRequest() {
    return new SendRequest(TENANT, DELIVERY, Channel.SMS, SMS_KEY, 1, 1, "+15558675310",
        prepare(Channel.SMS), AuditBatch.EMPTY,
        new AcceptRecord(5, DeliveryStatus.AWAITING_RECEIPT, null));
  }

  private static SendRequest emailRequest(PreparedPayload payload, AuditBatch pending,
      AcceptRecord onAccept) {
    return new SendRequest(TENANT, DELIVERY, Channel.EMAIL, EMAIL_KEY, 1, 1, "ann@example.com",
        payload, pending, onAccept);
  }

  /** What the workflow decided since its last activity. */
  private static AuditBatch pending() {
    return new AuditBatch(List.of(
        new AuditEvent(TENANT, DELIVERY, 1, T0, "relay", "accepted", "ok", null, null, null, 0,
            null, null, null),
        new AuditEvent(TENANT, DELIVERY, 2, T0.plusMillis(1), "relay", "verify", "ok", null,
            DeliveryStatus.SENDING, Channel.EMAIL, 1, null, null, null)), List.of());
  }
}
