package dev.relay.systemtests;

import static dev.relay.systemtests.Deliveries.accept;
import static dev.relay.systemtests.Deliveries.audit;
import static dev.relay.systemtests.Deliveries.awaitStatus;
import static dev.relay.systemtests.Deliveries.describe;
import static dev.relay.systemtests.Deliveries.events;
import static dev.relay.systemtests.Deliveries.recipient;
import static dev.relay.systemtests.Deliveries.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.contracts.DeliveryIds;
import dev.relay.systemtests.client.RelayApi;
import dev.relay.systemtests.stack.Poll;
import dev.relay.systemtests.stack.RelayStack;
import dev.relay.systemtests.stack.SmtpServer;
import dev.relay.systemtests.stack.StackExtension;
import dev.relay.systemtests.stack.TwilioPeer;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The four paths a user follows end to end, against the real stack: a mail with an attachment
 * lands in the SMTP server once; an SMS reaches the Twilio peer once and its signed {@code
 * delivered} callback settles the delivery; withdrawn consent rejects without sending; with email
 * consent withdrawn and SMS granted, the delivery falls back to SMS.
 */
class EndToEndIT {
  @RegisterExtension
  static final StackExtension STACK = new StackExtension();

  static final Duration DONE = Duration.ofSeconds(60);
  static final String PURPOSE = "legal.notice";
  static final String TEMPLATE = "notice";

  static RelayApi client;

  @BeforeAll
  static void template() {
    client = STACK.stack().client();
    client.putTemplate(TEMPLATE, "Notice {{number}} for {{name}}",
        "Hello {{name}}, notice {{number}} is attached.",
        "<p>Hello {{name}},</p><p>notice <b>{{number}}</b> is attached.</p>",
        "Hello {{name}}, notice {{number}} is ready.").expect(200, 201);
  }

  @Test
  void emailWithAttachmentArrivesOnceWithTheDocumentsBytes() throws Exception {
    RelayStack stack = STACK.stack();
    String email = "ada@e2e.example.test";
    recipient(client, "ada", email, null, PURPOSE, Map.of("EMAIL", true));
    byte[] pdf = new byte[48 * 1024];
    new Random(42).nextBytes(pdf);
    JsonNode doc = client.uploadDocument("contract.pdf", "application/pdf", pdf).expect(201, 200);
    assertThat(doc.path("sha256").asText()).isEqualTo(DeliveryIds.sha256Hex(pdf));
    assertThat(doc.path("size").asLong()).isEqualTo(pdf.length);

    String id = accept(client, "e2e-email-1", request("ada", PURPOSE, TEMPLATE,
        Map.of("name", "Ada", "number", "N-1"), null, List.of(doc.path("documentId").asText())));
    JsonNode delivered = awaitStatus(client, id, DONE, "DELIVERED");
    assertThat(delivered.path("channel").asText()).isEqualTo("EMAIL");

    List<MimeMessage> mails = stack.smtp().messagesTo(email);
    assertThat(mails).as("mails to %s", email).hasSize(1);
    MimeMessage mail = mails.get(0);
    assertThat(mail.getSubject()).isEqualTo("Notice N-1 for Ada");
    List<Part> attachments = attachments(mail);
    assertThat(attachments).as("attachments").hasSize(1);
    assertThat(attachments.get(0).getFileName()).isEqualTo("contract.pdf");
    try (InputStream in = attachments.get(0).getInputStream()) {
      assertThat(in.readAllBytes()).as("attachment bytes").isEqualTo(pdf);
    }

    List<JsonNode> trail = audit(client, id);
    List<JsonNode> sends = events(trail, "send", "accepted");
    assertThat(sends).as("accepted sends in %s", describe(trail)).hasSize(1);
    assertThat(sends.get(0).path("channel").asText()).isEqualTo("EMAIL");
    assertThat(sends.get(0).path("providerMessageId").asText())
        .isEqualTo(SmtpServer.messageId(mail));
    assertThat(trail.get(trail.size() - 1).path("status").asText()).isEqualTo("DELIVERED");
    assertThat(stack.twilio().messages()).as("no SMS for an email-only delivery")
        .noneMatch(m -> m.path("body").asText().contains("N-1"));
  }

  @Test
  void smsIsDeliveredByTheSignedDeliveredCallback() {
    RelayStack stack = STACK.stack();
    String phone = "+15550100001";
    recipient(client, "grace", null, phone, PURPOSE, Map.of("SMS", true));

    String id = accept(client, "e2e-sms-1", request("grace", PURPOSE, TEMPLATE,
        Map.of("name", "Grace", "number", "N-2"), List.of("SMS"), null));
    JsonNode delivered = awaitStatus(client, id, DONE, "DELIVERED");
    assertThat(delivered.path("channel").asText()).isEqualTo("SMS");

    List<JsonNode> sms = stack.twilio().messagesTo(phone);
    assertThat(sms).as("SMS to %s", phone).hasSize(1);
    assertThat(sms.get(0).path("body").asText()).isEqualTo("Hello Grace, notice N-2 is ready.");
    assertThat(sms.get(0).path("status_callback").asText()).contains("deliveryId=" + id);
    assertThat(sms.get(0).path("status").asText()).isEqualTo("delivered");

    List<JsonNode> trail = audit(client, id);
    String sid = sms.get(0).path("sid").asText();
    assertThat(events(trail, "send", "accepted")).as("accepted sends in %s", describe(trail))
        .singleElement().satisfies(e -> {
          assertThat(e.path("providerMessageId").asText()).isEqualTo(sid);
          assertThat(e.path("status").asText()).isEqualTo("AWAITING_RECEIPT");
        });
    // DELIVERED came from the provider's receipt (the signed webhook), not from the send.
    assertThat(events(trail, "receipt", "delivered")).as("receipt in %s", describe(trail))
        .singleElement().satisfies(e -> assertThat(e.path("status").asText()).isEqualTo("DELIVERED"));

    // A forged callback (wrong signature) is refused and changes nothing.
    String form = "MessageSid=" + sid + "&MessageStatus=undelivered&ErrorCode=30003&AccountSid="
        + TwilioPeer.ACCOUNT_SID + "&To=%2B15550100001&From=%2B15005550006&ApiVersion=2010-04-01";
    client.send("POST", "/v1/webhooks/twilio/status?deliveryId=" + id,
        HttpRequest.BodyPublishers.ofString(form),
        Map.of("Content-Type", "application/x-www-form-urlencoded",
            "X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==")).expect(403);
    assertThat(Deliveries.status(client, id)).isEqualTo("DELIVERED");
    assertThat(audit(client, id)).as("audit after a forged callback").hasSameSizeAs(trail);
  }

  @Test
  void withdrawnConsentRejectsAndSendsNothing() {
    RelayStack stack = STACK.stack();
    String email = "alan@e2e.example.test";
    recipient(client, "alan", email, null, PURPOSE, Map.of("EMAIL", true));
    JsonNode withdrawn = client.putConsent("alan", PURPOSE, Map.of("EMAIL", false), "system-test",
        "recipient withdrew by letter").expect(200, 201);
    int version = withdrawn.path("version").asInt();

    String id = accept(client, "e2e-withdrawn-1", request("alan", PURPOSE, TEMPLATE,
        Map.of("name", "Alan", "number", "N-3"), null, null));
    JsonNode rejected = awaitStatus(client, id, DONE, "REJECTED");
    assertThat(rejected.path("reason").asText()).contains("consent withdrawn");

    assertThat(stack.smtp().messagesTo(email)).as("mails to %s", email).isEmpty();
    List<JsonNode> trail = audit(client, id);
    assertThat(events(trail, "consent", "rejected")).as("consent decision in %s", describe(trail))
        .singleElement().satisfies(e ->
            assertThat(e.path("consentVersion").asInt()).as("consent version used").isEqualTo(version));
    assertThat(events(trail, "send")).as("sends in %s", describe(trail)).isEmpty();
    assertThat(trail.get(trail.size() - 1).path("status").asText()).isEqualTo("REJECTED");
  }

  @Test
  void fallsBackFromEmailToSmsWhereOnlySmsIsConsented() {
    RelayStack stack = STACK.stack();
    String email = "barbara@e2e.example.test";
    String phone = "+15550100002";
    recipient(client, "barbara", email, phone, PURPOSE, Map.of("EMAIL", false, "SMS", true));

    String id = accept(client, "e2e-fallback-1", request("barbara", PURPOSE, TEMPLATE,
        Map.of("name", "Barbara", "number", "N-4"), List.of("EMAIL", "SMS"), null));
    JsonNode delivered = awaitStatus(client, id, DONE, "DELIVERED");
    assertThat(delivered.path("channel").asText()).isEqualTo("SMS");

    assertThat(stack.smtp().messagesTo(email)).as("mails to %s", email).isEmpty();
    assertThat(stack.twilio().messagesTo(phone)).as("SMS to %s", phone).hasSize(1);
    List<JsonNode> trail = audit(client, id);
    assertThat(events(trail, "consent", "rejected")).as("email consent in %s", describe(trail))
        .singleElement().satisfies(e -> assertThat(e.path("channel").asText()).isEqualTo("EMAIL"));
    assertThat(events(trail, "fallback")).as("fallback in %s", describe(trail)).hasSize(1);
    assertThat(events(trail, "send", "accepted")).as("sends in %s", describe(trail))
        .singleElement().satisfies(e -> assertThat(e.path("channel").asText()).isEqualTo("SMS"));
    Poll.until("the delivered receipt in the audit trail", Duration.ofSeconds(10),
        () -> events(audit(client, id), "receipt", "delivered").size() == 1);
  }

  static List<Part> attachments(Part part) throws Exception {
    List<Part> out = new ArrayList<>();
    if (part.isMimeType("multipart/*")) {
      Multipart multipart = (Multipart) part.getContent();
      for (int i = 0; i < multipart.getCount(); i++) {
        BodyPart child = multipart.getBodyPart(i);
        out.addAll(attachments(child));
      }
    } else if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
      out.add(part);
    }
    return out;
  }
}
