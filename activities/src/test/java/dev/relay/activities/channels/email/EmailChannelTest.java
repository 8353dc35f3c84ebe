package dev.relay.activities.channels.email;

import static dev.relay.activities.Failures.expectFailure;
import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.relay.activities.TestStore;
import dev.relay.activities.channels.ChannelActivitiesImpl;
import dev.relay.activities.channels.LedgeredSend;
import dev.relay.activities.channels.ScriptedSmtpServer;
import dev.relay.store.recipient.SuppressionReason;
import dev.relay.store.recipient.SuppressionRepository;
import dev.relay.activities.channels.ScriptedSmtpServer.Stage;
import dev.relay.activities.channels.sms.SmsChannel;
import dev.relay.activities.channels.routing.ProviderEvents;
import dev.relay.activities.channels.routing.ProviderRouting;
import dev.relay.activities.config.RoutingSettings;
import dev.relay.activities.config.SmtpSettings;
import dev.relay.activities.payload.PayloadActivitiesImpl;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.activities.DocumentRef;
import dev.relay.contracts.activities.PayloadRequest;
import dev.relay.contracts.activities.PreparedPayload;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.store.delivery.SendLedgerEntry;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmailChannelTest {
  private static final String DELIVERY = DeliveryIds.deliveryId(TENANT, "idem-1");
  private static final String SEND_KEY = DeliveryIds.sendKey(DELIVERY, Channel.EMAIL, 1);
  private static final String DOMAIN = "relay.test";
  private static final byte[] PDF = "%PDF-1.7\n binary \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private TestStore store;
  private SuppressionRepository suppressions;
  private PreparedPayload prepared;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    suppressions = new SuppressionRepository(store.jdbi);
    store.templates.upsert(TENANT, "results", "Your results, {{name}}",
        "<p>Dear {{name}},</p><p>attached.</p>", "Dear {{name}}, attached.", null);
    store.documents.store(TENANT, "doc-1", "results.pdf", "application/pdf", PDF);
    prepared = new PayloadActivitiesImpl(store.templates, store.documents, store.rendered)
        .preparePayload(new PayloadRequest(TENANT, DELIVERY, "results", Map.of("name", "Ann"),
            List.of("doc-1"), Channel.EMAIL));
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void mailArrivesWithBothBodiesTheAttachmentAndTheDerivedMessageId() throws Exception {
    SendResult result = activities(greenMailPort()).sendEmail(request(prepared));

    String expectedId = "<" + DeliveryIds.sha256Hex(SEND_KEY).substring(0, 32) + "@relay.test>";
    assertThat(result).isEqualTo(new SendResult(EmailChannel.PRIMARY, expectedId, false));
    assertThat(EmailChannel.messageId(SEND_KEY, DOMAIN)).isEqualTo(expectedId);

    MimeMessage mail = greenMail.getReceivedMessages()[0];
    assertThat(mail.getMessageID()).isEqualTo(expectedId);
    assertThat(mail.getSubject()).isEqualTo("Your results, Ann");
    assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ann@example.com");
    assertThat(mail.getFrom()[0].toString()).isEqualTo("Relay <relay@localhost>");

    Multipart mixed = (Multipart) mail.getContent();
    assertThat(mail.getContentType()).startsWith("multipart/mixed");
    Part bodyPart = mixed.getBodyPart(0);
    assertThat(bodyPart.getContentType()).startsWith("multipart/alternative");
    Multipart alternative = (Multipart) bodyPart.getContent();
    assertThat(alternative.getBodyPart(0).getContentType()).startsWith("text/plain");
    assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("Dear Ann, attached.");
    assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html");
    assertThat(alternative.getBodyPart(1).getContent())
        .isEqualTo("<p>Dear Ann,</p><p>attached.</p>");

    Part attachment = mixed.getBodyPart(1);
    assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
    assertThat(attachment.getFileName()).isEqualTo("results.pdf");
    assertThat(attachment.getContentType()).startsWith("application/pdf");
    assertThat(attachment.getInputStream().readAllBytes()).isEqualTo(PDF);

    assertThat(store.ledger.find(SEND_KEY)).hasValueSatisfying(e -> {
      assertThat(e.sent()).isTrue();
      assertThat(e.providerMessageId()).isEqualTo(expectedId);
    });
  }

  @Test
  void textOnlyMailWithoutAttachmentsIsASinglePart() throws Exception {
    store.templates.upsert(TENANT, "note", "Note", null, "Just text", null);
    PreparedPayload note = new PayloadActivitiesImpl(store.templates, store.documents,
        store.rendered).preparePayload(new PayloadRequest(TENANT, DELIVERY, "note", Map.of(),
            List.of(), Channel.EMAIL));

    activities(greenMailPort()).sendEmail(request(note));

    MimeMessage mail = greenMail.getReceivedMessages()[0];
    assertThat(mail.getContentType()).startsWith("text/plain");
    assertThat(mail.getContent()).isEqualTo("Just text");
  }

  @Test
  void sameSendKeyTwiceDeliversOneMail() {
    ChannelActivitiesImpl channels = activities(greenMailPort());

    SendResult first = channels.sendEmail(request(prepared));
    SendResult second = channels.sendEmail(request(prepared));

    assertThat(greenMail.getReceivedMessages()).hasSize(1);
    assertThat(first.fromLedger()).isFalse();
    assertThat(second).isEqualTo(new SendResult(EmailChannel.PRIMARY, first.providerMessageId(), true));
  }

  @Test
  void ambiguousEarlierTryIsResentWithTheSameMessageId() throws Exception {
    // An earlier try claimed the key and died without an answer.
    store.ledger.begin(SEND_KEY, TENANT, DELIVERY, "EMAIL", 1, EmailChannel.PRIMARY);

    SendResult result = activities(greenMailPort()).sendEmail(request(prepared));

    assertThat(result.fromLedger()).isFalse();
    assertThat(greenMail.getReceivedMessages()).hasSize(1);
    assertThat(greenMail.getReceivedMessages()[0].getMessageID())
        .isEqualTo(EmailChannel.messageId(SEND_KEY, DOMAIN));
    assertThat(store.ledger.find(SEND_KEY).orElseThrow().tries()).isEqualTo(2);
  }

  @Test
  void connectionLostAfterDataLeavesTheSendInDoubtAndTheRetryReusesTheMessageId()
      throws Exception {
    try (ScriptedSmtpServer relay = ScriptedSmtpServer.droppingAfterData()) {
      expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
          () -> activities(relay.port()).sendEmail(request(prepared)));

      assertThat(relay.messages()).hasSize(1);
      assertThat(relay.messages().get(0))
          .contains("Message-ID: " + EmailChannel.messageId(SEND_KEY, DOMAIN));
    }
    assertThat(store.ledger.find(SEND_KEY).orElseThrow().inFlight()).isTrue();

    // Temporal's retry reaches a relay that answers: same Message-ID, receivers dedupe.
    SendResult retry = activities(greenMailPort()).sendEmail(request(prepared));

    assertThat(retry.providerMessageId()).isEqualTo(EmailChannel.messageId(SEND_KEY, DOMAIN));
    assertThat(greenMail.getReceivedMessages()[0].getMessageID())
        .isEqualTo(retry.providerMessageId());
  }

  @Test
  void aNewRoundAfterARoundInDoubtSettlesThatSendInsteadOfSendingAnew() throws Exception {
    // Round 1 died after the relay may have taken the mail (a support RETRY followed).
    store.ledger.begin(SEND_KEY, TENANT, DELIVERY, "EMAIL", 1, EmailChannel.PRIMARY);
    String round2 = DeliveryIds.sendKey(DELIVERY, Channel.EMAIL, 2);
    SendRequest retryRound = new SendRequest(TENANT, DELIVERY, Channel.EMAIL, round2, 2, 1,
        "ann@example.com", prepared);

    SendResult result = activities(greenMailPort()).sendEmail(retryRound);

    // Same Message-ID as round 1: receivers that got round 1 drop it; nobody gets two mails.
    assertThat(result.providerMessageId()).isEqualTo(EmailChannel.messageId(SEND_KEY, DOMAIN));
    assertThat(greenMail.getReceivedMessages()).hasSize(1);
    assertThat(greenMail.getReceivedMessages()[0].getMessageID())
        .isEqualTo(EmailChannel.messageId(SEND_KEY, DOMAIN));
    assertThat(store.ledger.find(SEND_KEY).orElseThrow().sent()).isTrue();
    assertThat(store.ledger.find(round2).orElseThrow().providerMessageId())
        .isEqualTo(result.providerMessageId());
    // Round 2's next try is answered by the ledger.
    assertThat(activities(greenMailPort()).sendEmail(retryRound).fromLedger()).isTrue();
    assertThat(greenMail.getReceivedMessages()).hasSize(1);
  }

  @Test
  void sendLedgerUnreachableCallsNoProviderAndSaysItIsRelaysStore() {
    store.dataSource.close();

    expectFailure(DeliveryErrorType.STORE_UNAVAILABLE,
        () -> activities(greenMailPort()).sendEmail(request(prepared)));

    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void permanentRecipientRefusalIsRejected() throws Exception {
    try (ScriptedSmtpServer relay =
        ScriptedSmtpServer.replying(Stage.RCPT, "550 5.1.1 <ann@example.com>: no such user")) {
      var failure = expectFailure(DeliveryErrorType.PROVIDER_REJECTED,
          () -> activities(relay.port()).sendEmail(request(prepared)));

      assertThat(failure.getOriginalMessage()).contains("550").doesNotContain("ann@example.com");
      assertThat(relay.messages()).isEmpty();
      // A hard bounce: the address is suppressed by the server, once, with an audit event,
      // and a retry of the same send records nothing more.
      expectFailure(DeliveryErrorType.PROVIDER_REJECTED,
          () -> activities(relay.port()).sendEmail(request(prepared)));
    }
    assertLedger("FAILED", "PROVIDER_REJECTED");
    assertThat(suppressions.active(TENANT, "EMAIL", "ann@example.com"))
        .hasValueSatisfying(s -> {
          assertThat(s.reason()).isEqualTo(SuppressionReason.HARD_BOUNCE);
          assertThat(s.detail()).contains("550");
          assertThat(s.deliveryId()).isEqualTo(DELIVERY);
        });
    int audited = store.jdbi.withHandle(h -> h.createQuery(
            "select count(*) from audit_events where step = 'suppression' and outcome = 'added'")
        .mapTo(Integer.class).one());
    assertThat(audited).isEqualTo(1);
  }

  @Test
  void aFullMailboxIsNotAHardBounce() throws Exception {
    try (ScriptedSmtpServer relay =
        ScriptedSmtpServer.replying(Stage.RCPT, "552 5.2.2 mailbox full")) {
      expectFailure(DeliveryErrorType.PROVIDER_REJECTED,
          () -> activities(relay.port()).sendEmail(request(prepared)));
    }
    assertThat(suppressions.active(TENANT, "EMAIL", "ann@example.com")).isEmpty();
  }

  @Test
  void refusalAfterTheDataIsRejected() throws Exception {
    try (ScriptedSmtpServer relay =
        ScriptedSmtpServer.replying(Stage.DATA_END, "554 5.7.1 message refused")) {
      expectFailure(DeliveryErrorType.PROVIDER_REJECTED,
          () -> activities(relay.port()).sendEmail(request(prepared)));
    }
    assertLedger("FAILED", "PROVIDER_REJECTED");
    // Refusing the content says nothing about the address.
    assertThat(suppressions.active(TENANT, "EMAIL", "ann@example.com")).isEmpty();
  }

  @Test
  void refusedGreetingIsRejected() throws Exception {
    try (ScriptedSmtpServer relay =
        ScriptedSmtpServer.replying(Stage.GREETING, "554 5.7.1 no service for you")) {
      expectFailure(DeliveryErrorType.PROVIDER_REJECTED,
          () -> activities(relay.port()).sendEmail(request(prepared)));
    }
  }

  @Test
  void temporaryRefusalIsUnavailableAndRetryable() throws Exception {
    try (ScriptedSmtpServer relay =
        ScriptedSmtpServer.replying(Stage.MAIL, "451 4.3.0 try again later")) {
      var failure = expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
          () -> activities(relay.port()).sendEmail(request(prepared)));

      assertThat(failure.getOriginalMessage()).contains("451");
    }
    // Refused for now, not accepted: the next try sends without doubt.
    assertLedger("FAILED", "PROVIDER_UNAVAILABLE");
  }

  @Test
  void relayDownIsUnavailableAndRetryable() {
    expectFailure(DeliveryErrorType.PROVIDER_UNAVAILABLE,
        () -> activities(ScriptedSmtpServer.closedPort()).sendEmail(request(prepared)));

    assertLedger("FAILED", "PROVIDER_UNAVAILABLE");
  }

  @Test
  void attachmentWhoseBytesChangedIsNotSent() {
    DocumentRef doc = prepared.documents().get(0);
    PreparedPayload tampered = new PreparedPayload(prepared.payloadRef(), Channel.EMAIL,
        prepared.contentSha256(), List.of(new DocumentRef(doc.documentId(), doc.filename(),
            doc.contentType(), doc.size(), DeliveryIds.sha256Hex("other bytes"))));

    expectFailure(DeliveryErrorType.DOCUMENT_DIGEST_MISMATCH,
        () -> activities(greenMailPort()).sendEmail(request(tampered)));

    assertThat(greenMail.getReceivedMessages()).isEmpty();
    assertThat(store.ledger.find(SEND_KEY)).isEmpty();
  }

  @Test
  void renderingThatIsNotThePreparedOneIsNotSent() {
    PreparedPayload stale = new PreparedPayload(prepared.payloadRef(), Channel.EMAIL,
        DeliveryIds.sha256Hex("an older rendering"), prepared.documents());

    expectFailure(DeliveryErrorType.PAYLOAD_DIGEST_MISMATCH,
        () -> activities(greenMailPort()).sendEmail(request(stale)));

    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  private void assertLedger(String state, String errorType) {
    SendLedgerEntry entry = store.ledger.find(SEND_KEY).orElseThrow();
    assertThat(entry.state()).isEqualTo(state);
    assertThat(entry.lastError()).startsWith(errorType);
  }

  private static int greenMailPort() {
    return greenMail.getSmtp().getPort();
  }

  private ChannelActivitiesImpl activities(int port) {
    SmtpSettings smtp = new SmtpSettings("127.0.0.1", port, null, null, false,
        "Relay <relay@localhost>", Duration.ofSeconds(5));
    ProviderRouting routing =
        new ProviderRouting(RoutingSettings.standard(), ProviderEvents.NONE, null);
    LedgeredSend ledger = new LedgeredSend(store.ledger, store.unitOfWork);
    EmailChannel email = new EmailChannel(routing.route(Channel.EMAIL,
        List.of(new SmtpProvider(EmailChannel.PRIMARY, smtp, DOMAIN)), true),
        store.rendered, store.documents, ledger);
    SmsChannel unconfigured =
        new SmsChannel(routing.route(Channel.SMS, List.of(), false), store.rendered, ledger);
    return new ChannelActivitiesImpl(email, unconfigured, store.bookkeeping,
        java.time.Clock.systemUTC());
  }

  private static SendRequest request(PreparedPayload payload) {
    return new SendRequest(TENANT, DELIVERY, Channel.EMAIL, SEND_KEY, 1, 1, "ann@example.com",
        payload);
  }
}
