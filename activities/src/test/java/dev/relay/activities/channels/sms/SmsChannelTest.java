package dev.relay.activities.channels.sms;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.relay.activities.Failures.expectFailure;
import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.BasicCredentials;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.relay.activities.TestStore;
import dev.relay.activities.channels.ChannelActivitiesImpl;
import dev.relay.activities.channels.LedgeredSend;
import dev.relay.activities.channels.ScriptedSmtpServer;
import dev.relay.activities.channels.email.EmailChannel;
import dev.relay.activities.channels.routing.ProviderEvents;
import dev.relay.activities.channels.routing.ProviderRouting;
import dev.relay.activities.config.RoutingSettings;
import dev.relay.activities.config.TwilioSettings;
import dev.relay.activities.payload.PayloadActivitiesImpl;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.activities.PayloadRequest;
import dev.relay.contracts.activities.PreparedPayload;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.store.delivery.SendLedgerEntry;
import dev.relay.store.recipient.SuppressionReason;
import dev.relay.store.recipient.SuppressionRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SmsChannelTest {
  private static final String ACCOUNT = "AC00000000000000000000000000000001";
  private static final String TOKEN = "test-auth-token";
  private static final String FROM = "+15005550006";
  private static final String TO = "+15558675310";
  private static final String MESSAGES = "/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json";
  private static final String DELIVERY = DeliveryIds.deliveryId(TENANT, "idem-sms");
  private static final String SEND_KEY = DeliveryIds.sendKey(DELIVERY, Channel.SMS, 1);
  private static final String BODY = "Ann: your results are ready";
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-20T10:00:00Z"), ZoneOffset.UTC);

  private WireMockServer twilio;
  private TestStore store;
  private PreparedPayload prepared;

  @BeforeEach
  void setUp() {
    twilio = new WireMockServer(options().dynamicPort());
    twilio.start();
    store = TestStore.fresh();
    store.templates.upsert(TENANT, "results", "Results", null, "text",
        "{{name}}: your results are ready");
    prepared = new PayloadActivitiesImpl(store.templates, store.documents, store.rendered)
        .preparePayload(new PayloadRequest(TENANT, DELIVERY, "results", Map.of("name", "Ann"),
            List.of(), Channel.SMS));
  }

  @AfterEach
  void tearDown() {
    twilio.stop();
    store.close();
  }

  @Test
  void messageIsCreatedWithRealAuthAndFormFieldsAndACallbackNamingTheDelivery() {
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(created("SM0001")));

    SendResult result = activities(twilio.port()).sendSms(request());

    assertThat(result).isEqualTo(new SendResult("twilio", "SM0001", false));
    twilio.verify(1, postRequestedFor(urlEqualTo(MESSAGES))
        .withBasicAuth(new BasicCredentials(ACCOUNT, TOKEN))
        .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
        .withFormParam("To", equalTo(TO))
        .withFormParam("From", equalTo(FROM))
        .withFormParam("Body", equalTo(BODY))
        .withFormParam("StatusCallback", equalTo(
            "https://relay.example.com/v1/webhooks/twilio/status?deliveryId=" + DELIVERY)));
    assertThat(store.ledger.find(SEND_KEY)).hasValueSatisfying(e -> {
      assertThat(e.sent()).isTrue();
      assertThat(e.providerMessageId()).isEqualTo("SM0001");
    });
  }

  @Test
  void sameSendKeyTwicePostsOnce() {
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(created("SM0001")));
    ChannelActivitiesImpl channels = activities(twilio.port());

    channels.sendSms(request());
    SendResult second = channels.sendSms(request());

    assertThat(second).isEqualTo(new SendResult("twilio", "SM0001", true));
    twilio.verify(1, postRequestedFor(urlEqualTo(MESSAGES)));
  }

  @Test
  void rateLimitIsUnavailableAndNotInDoubt() {
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(error(429, 20429, "Too Many Requests")));

    expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
        () -> activities(twilio.port()).sendSms(request()));

    assertLedger("FAILED");
  }

  @Test
  void serverErrorIsUnavailableTriedOnceAndLeftInDoubt() {
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(error(500, 20500, "Internal Error")));

    expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
        () -> activities(twilio.port()).sendSms(request()));

    // No hidden SDK retries: Temporal decides, after the ledger.
    twilio.verify(1, postRequestedFor(urlEqualTo(MESSAGES)));
    assertLedger("SENDING");
  }

  @Test
  void errorPageWithoutTwilioBodyIsStillClassifiedByItsStatus() {
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(502)
        .withHeader("Content-Type", "text/html").withBody("<html>Bad Gateway</html>")));

    var failure = expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
        () -> activities(twilio.port()).sendSms(request()));

    assertThat(failure.getOriginalMessage()).contains("HTTP 502");
  }

  @Test
  void invalidNumberIsRejectedForGood() {
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(
        error(400, 21211, "The 'To' number " + TO + " is not a valid phone number.")));

    var failure = expectFailure(DeliveryErrorType.PROVIDER_REJECTED,
        () -> activities(twilio.port()).sendSms(request()));

    assertThat(failure.getOriginalMessage()).contains("21211").doesNotContain(TO);
    assertLedger("FAILED");
    assertThat(new SuppressionRepository(store.jdbi).active(TENANT, "SMS", TO))
        .hasValueSatisfying(s -> assertThat(s.reason()).isEqualTo(SuppressionReason.INVALID_NUMBER));
  }

  @Test
  void aStopReplySuppressesTheNumberAndAnInvalidNumberToo() {
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(
        error(400, 21610, "Attempt to send to unsubscribed recipient " + TO)));

    expectFailure(DeliveryErrorType.PROVIDER_REJECTED,
        () -> activities(twilio.port()).sendSms(request()));

    SuppressionRepository suppressions = new SuppressionRepository(store.jdbi);
    assertThat(suppressions.active(TENANT, "SMS", TO)).hasValueSatisfying(s -> {
      assertThat(s.reason()).isEqualTo(SuppressionReason.STOP);
      assertThat(s.detail()).contains("21610").doesNotContain(TO);
    });
  }

  @Test
  void otherClientErrorsAreRejected() {
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(error(401, 20003, "Authenticate")));

    expectFailure(DeliveryErrorType.PROVIDER_REJECTED,
        () -> activities(twilio.port()).sendSms(request()));
    // A refused account says nothing about the number.
    assertThat(new SuppressionRepository(store.jdbi).active(TENANT, "SMS", TO)).isEmpty();
  }

  @Test
  void connectionResetIsUnavailableAndLeftInDoubt() {
    twilio.stubFor(post(urlEqualTo(MESSAGES))
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
        () -> activities(twilio.port()).sendSms(request()));

    assertLedger("SENDING");
  }

  @Test
  void answerSlowerThanTheTimeoutIsUnavailableAndLeftInDoubt() {
    // The settings' timeout, not the SDK's 30 s default, bounds the call.
    twilio.stubFor(post(urlEqualTo(MESSAGES))
        .willReturn(created("SM0001").withFixedDelay(10_000)));

    expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
        () -> activities(twilio.port(), Duration.ofMillis(300)).sendSms(request()));

    assertLedger("SENDING");
  }

  @Test
  void twilioDownIsUnavailableAndNotInDoubt() {
    expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
        () -> activities(ScriptedSmtpServer.closedPort()).sendSms(request()));

    assertLedger("FAILED");
  }

  @Test
  void retryAfterAnAmbiguousTryAdoptsTheMessageTwilioAlreadyHas() {
    twilio.stubFor(post(urlEqualTo(MESSAGES))
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    ChannelActivitiesImpl channels = activities(twilio.port());
    expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE, () -> channels.sendSms(request()));

    // Twilio did create it before the connection broke.
    twilio.stubFor(get(urlPathEqualTo(MESSAGES)).willReturn(page(
        message("SM0002", "Some other text", "Fri, 20 Nov 2026 09:59:30 +0000"),
        message("SM0001", BODY, "Fri, 20 Nov 2026 09:59:00 +0000"))));
    SendResult retry = channels.sendSms(request());

    assertThat(retry).isEqualTo(new SendResult("twilio", "SM0001", false));
    twilio.verify(1, postRequestedFor(urlEqualTo(MESSAGES)));
    twilio.verify(1, getRequestedFor(urlPathEqualTo(MESSAGES))
        .withBasicAuth(new BasicCredentials(ACCOUNT, TOKEN))
        .withQueryParam("To", equalTo(TO))
        .withQueryParam("From", equalTo(FROM)));
    assertThat(store.ledger.find(SEND_KEY).orElseThrow().providerMessageId())
        .isEqualTo("SM0001");
  }

  @Test
  void retryAfterAnAmbiguousTrySendsWhenTwilioHasNothing() {
    store.ledger.begin(SEND_KEY, TENANT, DELIVERY, "SMS", 1, "twilio"); // died in flight
    twilio.stubFor(get(urlPathEqualTo(MESSAGES)).willReturn(page(
        message("SM0000", BODY, "Wed, 18 Nov 2026 10:00:00 +0000")))); // outside the lookback
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(created("SM0003")));

    SendResult retry = activities(twilio.port()).sendSms(request());

    assertThat(retry).isEqualTo(new SendResult("twilio", "SM0003", false));
    twilio.verify(1, postRequestedFor(urlEqualTo(MESSAGES)));
  }

  @Test
  void ambiguousLookupNeverAdoptsAMessageAnotherSendOwns() {
    // Round 1 sent the same text and owns SM0001; round 2's first try died in flight.
    String round1 = DeliveryIds.sendKey(DELIVERY, Channel.SMS, 1);
    String round2 = DeliveryIds.sendKey(DELIVERY, Channel.SMS, 2);
    store.ledger.begin(round1, TENANT, DELIVERY, "SMS", 1, "twilio");
    store.ledger.markSent(round1, "twilio", "SM0001");
    store.ledger.begin(round2, TENANT, DELIVERY, "SMS", 2, "twilio");
    twilio.stubFor(get(urlPathEqualTo(MESSAGES)).willReturn(page(
        message("SM0001", BODY, "Fri, 20 Nov 2026 09:59:00 +0000"))));
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(created("SM0004")));

    SendResult retry = activities(twilio.port()).sendSms(
        new SendRequest(TENANT, DELIVERY, Channel.SMS, round2, 2, 2, TO, prepared));

    assertThat(retry.providerMessageId()).isEqualTo("SM0004");
  }

  @Test
  void aSupportRoundAfterARoundInDoubtAdoptsThatMessageInsteadOfSendingAgain() {
    // Round 1's send died in flight, but Twilio had created the message; support retried.
    store.ledger.begin(SEND_KEY, TENANT, DELIVERY, "SMS", 1, "twilio");
    String round2 = DeliveryIds.sendKey(DELIVERY, Channel.SMS, 2);
    twilio.stubFor(get(urlPathEqualTo(MESSAGES)).willReturn(page(
        message("SM0001", BODY, "Fri, 20 Nov 2026 09:59:00 +0000"))));
    twilio.stubFor(post(urlEqualTo(MESSAGES)).willReturn(created("SM0009")));

    SendResult result = activities(twilio.port()).sendSms(
        new SendRequest(TENANT, DELIVERY, Channel.SMS, round2, 2, 1, TO, prepared));

    assertThat(result.providerMessageId()).isEqualTo("SM0001");
    twilio.verify(0, postRequestedFor(urlEqualTo(MESSAGES)));
    // Both rounds name the one message; a receipt for it finds the newest round.
    assertThat(store.ledger.find(round2).orElseThrow().providerMessageId()).isEqualTo("SM0001");
    assertThat(store.ledger.findByProviderMessageId("twilio", "SM0001").orElseThrow().sendKey())
        .isEqualTo(round2);
    assertThat(store.ledger.countSent(DELIVERY)).isEqualTo(1);
  }

  @Test
  void failedLookupKeepsTheDoubt() {
    store.ledger.begin(SEND_KEY, TENANT, DELIVERY, "SMS", 1, "twilio");
    twilio.stubFor(get(urlPathEqualTo(MESSAGES)).willReturn(error(503, 20503, "Unavailable")));

    expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
        () -> activities(twilio.port()).sendSms(request()));

    twilio.verify(0, postRequestedFor(urlEqualTo(MESSAGES)));
    assertLedger("SENDING");
  }

  private void assertLedger(String state) {
    SendLedgerEntry entry = store.ledger.find(SEND_KEY).orElseThrow();
    assertThat(entry.state()).isEqualTo(state);
  }

  private ChannelActivitiesImpl activities(int port) {
    return activities(port, Duration.ofSeconds(5));
  }

  private ChannelActivitiesImpl activities(int port, Duration timeout) {
    TwilioSettings settings = new TwilioSettings(ACCOUNT, TOKEN, FROM,
        "http://localhost:" + port, "https://relay.example.com/", timeout);
    ProviderRouting routing =
        new ProviderRouting(RoutingSettings.standard(), ProviderEvents.NONE, null);
    LedgeredSend ledger = new LedgeredSend(store.ledger, store.unitOfWork);
    SmsChannel sms = new SmsChannel(routing.route(Channel.SMS,
        List.of(new TwilioProvider(SmsChannel.PROVIDER, settings, store.ledger, CLOCK)), false),
        store.rendered, ledger);
    EmailChannel unconfigured = new EmailChannel(routing.route(Channel.EMAIL, List.of(), true),
        store.rendered, store.documents, ledger);
    return new ChannelActivitiesImpl(unconfigured, sms, store.bookkeeping, Clock.systemUTC());
  }

  private SendRequest request() {
    return new SendRequest(TENANT, DELIVERY, Channel.SMS, SEND_KEY, 1, 1, TO, prepared);
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder created(
      String sid) {
    return aResponse().withStatus(201).withHeader("Content-Type", "application/json")
        .withBody(message(sid, BODY, "Fri, 20 Nov 2026 10:00:00 +0000"));
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(
      int status, int code, String text) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
        .withBody("""
            {"code": %d, "message": "%s", "more_info": "https://www.twilio.com/docs/errors/%d",
             "status": %d}""".formatted(code, text, code, status));
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder page(
      String... messages) {
    return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withBody("""
            {"messages": [%s], "end": %d, "first_page_uri": "%s?PageSize=50&Page=0",
             "next_page_uri": null, "page": 0, "page_size": 50, "previous_page_uri": null,
             "start": 0, "uri": "%s?PageSize=50&Page=0"}"""
            .formatted(String.join(",", messages), messages.length - 1, MESSAGES, MESSAGES));
  }

  /** A message resource as Twilio's API returns it. */
  private static String message(String sid, String body, String created) {
    return """
        {"account_sid": "%1$s", "api_version": "2010-04-01", "body": "%2$s",
         "date_created": "%3$s", "date_sent": null, "date_updated": "%3$s",
         "direction": "outbound-api", "error_code": null, "error_message": null,
         "from": "%4$s", "messaging_service_sid": null, "num_media": "0", "num_segments": "1",
         "price": null, "price_unit": "USD", "sid": "%5$s", "status": "queued",
         "subresource_uris": {"media": "/2010-04-01/Accounts/%1$s/Messages/%5$s/Media.json"},
         "to": "%6$s", "uri": "/2010-04-01/Accounts/%1$s/Messages/%5$s.json"}"""
        .formatted(ACCOUNT, body, created, FROM, sid, TO);
  }
}
