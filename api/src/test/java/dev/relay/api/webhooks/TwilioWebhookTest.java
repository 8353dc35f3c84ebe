package dev.relay.api.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.api.support.RelayTestInfrastructure;
import dev.relay.api.support.TwilioFake;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Twilio status callbacks on a real SMS delivery: the real Twilio SDK sends through WireMock, the
 * delivery waits for its receipt, and the test plays Twilio's callback, signed or not.
 */
class TwilioWebhookTest extends ApiTest {
  String sid;
  String deliveryId;

  @BeforeEach
  void smsDeliveryAwaitingItsReceipt() {
    String phone = TwilioFake.phoneNumber();
    sid = TwilioFake.sid();
    TwilioFake.accepts(twilio, phone, sid);
    String recipient = recipient(ACME_CLIENT, null, phone, "alerts", false, true);
    String template = emailTemplate(ACME_CLIENT);
    Http.Reply r = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "alerts", template, "[\"SMS\"]"));
    deliveryId = r.json().path("deliveryId").asString();
    awaitStatus(ACME_CLIENT, deliveryId, "AWAITING_RECEIPT");
    assertThat(ledger.findByProviderMessageId("twilio", sid)).isPresent();
  }

  Map<String, String> callback(String messageSid, String status) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("MessageSid", messageSid);
    p.put("SmsSid", messageSid);
    p.put("MessageStatus", status);
    p.put("SmsStatus", status);
    p.put("AccountSid", RelayTestInfrastructure.TWILIO_ACCOUNT);
    p.put("From", RelayTestInfrastructure.TWILIO_FROM);
    p.put("ApiVersion", "2010-04-01");
    return p;
  }

  String path(String delivery) {
    return "/v1/webhooks/twilio/status?deliveryId=" + delivery;
  }

  /** Signs as Twilio would for the public URL the API is configured with. */
  Http.Reply post(String delivery, Map<String, String> params) {
    String signature = TwilioFake.signature(RelayTestInfrastructure.TWILIO_TOKEN,
        RelayTestInfrastructure.WEBHOOK_BASE_URL + path(delivery), params);
    return post(delivery, params, signature);
  }

  Http.Reply post(String delivery, Map<String, String> params, String signature) {
    return http().send("POST", path(delivery), null, "application/x-www-form-urlencoded",
        TwilioFake.form(params), "X-Twilio-Signature", signature);
  }

  int receipts() {
    return count("select count(*) from provider_receipts where provider_message_id = ?", sid);
  }

  @Test
  void aSignedDeliveredCallbackSettlesTheDelivery() {
    Http.Reply sent = post(deliveryId, callback(sid, "sent"));
    assertThat(sent.status()).as(sent.body()).isEqualTo(204);
    assertThat(http().get("/v1/deliveries/" + deliveryId, ACME_CLIENT).json().path("status").asString())
        .isEqualTo("AWAITING_RECEIPT");

    Http.Reply delivered = post(deliveryId, callback(sid, "delivered"));

    assertThat(delivered.status()).as(delivered.body()).isEqualTo(204);
    awaitStatus(ACME_CLIENT, deliveryId, "DELIVERED");
    assertThat(receipts()).isEqualTo(2);
    // Twilio may send a callback again: still fine, still recorded once.
    assertThat(post(deliveryId, callback(sid, "delivered")).status()).isEqualTo(204);
    assertThat(receipts()).isEqualTo(2);
  }

  @Test
  void aBadOrMissingSignatureIs403AndChangesNothing() {
    Map<String, String> params = callback(sid, "delivered");
    String forged = TwilioFake.signature("not-the-token", RelayTestInfrastructure.WEBHOOK_BASE_URL
        + path(deliveryId), params);
    String wrongUrl = TwilioFake.signature(RelayTestInfrastructure.TWILIO_TOKEN,
        "http://localhost:" + port + path(deliveryId), params);
    Map<String, String> tampered = new LinkedHashMap<>(params);
    String signedForSent = TwilioFake.signature(RelayTestInfrastructure.TWILIO_TOKEN,
        RelayTestInfrastructure.WEBHOOK_BASE_URL + path(deliveryId), callback(sid, "sent"));

    for (String signature : new String[] {forged, wrongUrl, signedForSent, null, ""}) {
      Http.Reply r = post(deliveryId, tampered, signature);
      assertThat(r.status()).as(r.body()).isEqualTo(403);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(r.json().path("type").asString()).endsWith("/invalid-signature");
    }
    assertThat(receipts()).isZero();
    assertThat(http().get("/v1/deliveries/" + deliveryId, ACME_CLIENT).json().path("status").asString())
        .isEqualTo("AWAITING_RECEIPT");
    // Clean up: the delivery was waiting for this receipt.
    assertThat(post(deliveryId, callback(sid, "delivered")).status()).isEqualTo(204);
  }

  @Test
  void aMessageThatIsNotTheDeliverysIs404() {
    Http.Reply unknownSid = post(deliveryId, callback(TwilioFake.sid(), "delivered"));
    assertThat(unknownSid.status()).as(unknownSid.body()).isEqualTo(404);
    Http.Reply otherDelivery = post("dlv-ffffffffffffffffffffffffffffffff", callback(sid, "delivered"));
    assertThat(otherDelivery.status()).as(otherDelivery.body()).isEqualTo(404);
    assertThat(receipts()).isZero();
    assertThat(post(deliveryId, callback(sid, "delivered")).status()).isEqualTo(204);
  }

  @Test
  void aSignedCallbackWithoutAMessageSidIs400() {
    Map<String, String> params = callback(sid, "delivered");
    params.remove("MessageSid");
    Http.Reply r = post(deliveryId, params);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.errorFields()).containsExactly("MessageSid");
    assertThat(post(deliveryId, callback(sid, "delivered")).status()).isEqualTo(204);
  }

  @Test
  void anUndeliveredReceiptSendsTheDeliveryToSupport() {
    Map<String, String> params = callback(sid, "undelivered");
    params.put("ErrorCode", "30003");
    assertThat(post(deliveryId, params).status()).isEqualTo(204);
    awaitStatus(ACME_CLIENT, deliveryId, "NEEDS_ATTENTION");
    assertThat(http().post("/v1/deliveries/" + deliveryId + "/actions", ACME_SUPPORT,
        "{\"action\":\"CANCEL\",\"reason\":\"phone unreachable\"}").status()).isEqualTo(200);
  }
}
