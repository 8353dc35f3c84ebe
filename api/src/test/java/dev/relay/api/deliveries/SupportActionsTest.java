package dev.relay.api.deliveries;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.api.support.TwilioFake;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Support actions through the API on real workflows. NEEDS_ATTENTION is reached deterministically:
 * the fake Twilio refuses the recipient's number as invalid (error 21211, permanent), so the only
 * channel's send round fails at once.
 */
class SupportActionsTest extends ApiTest {

  record Stuck(String deliveryId, String email) {}

  Stuck needsAttention() {
    String phone = TwilioFake.phoneNumber();
    TwilioFake.rejectsAsInvalidNumber(twilio, phone);
    String email = unique("na") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, phone, "alerts", true, true);
    String template = emailTemplate(ACME_CLIENT);
    Http.Reply r = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "alerts", template, "[\"SMS\"]"));
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    String id = r.json().path("deliveryId").asString();
    JsonNode stuck = awaitStatus(ACME_CLIENT, id, "NEEDS_ATTENTION");
    assertThat(stuck.path("reason").asString()).contains("sms");
    return new Stuck(id, email);
  }

  Http.Reply act(String key, String id, String body) {
    return http().post("/v1/deliveries/" + id + "/actions", key, body);
  }

  @Test
  void rerouteOfADeliveryThatNeedsAttentionDeliversOverTheOtherChannel() {
    Stuck stuck = needsAttention();

    Http.Reply r = act(ACME_SUPPORT, stuck.deliveryId(),
        "{\"action\":\"REROUTE\",\"channel\":\"EMAIL\",\"reason\":\"number is invalid, use email\"}");

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().path("deliveryId").asString()).isEqualTo(stuck.deliveryId());
    assertThat(r.json().path("action").asString()).isEqualTo("REROUTE");
    assertThat(r.json().path("status").asString()).isNotBlank();
    awaitStatus(ACME_CLIENT, stuck.deliveryId(), "DELIVERED");
    assertThat(mailTo(stuck.email())).hasSize(1);
    Http.Reply audit = http().get("/v1/deliveries/" + stuck.deliveryId() + "/audit", ACME_SUPPORT);
    assertThat(audit.json().path("chainIntact").asBoolean()).isTrue();
    assertThat(audit.json().path("events").valueStream()
        .filter(e -> e.path("step").asString().equals("support.reroute"))
        .map(e -> e.path("actor").asString())).containsExactly("alice.support");
  }

  @Test
  void cancelOfADeliveryThatNeedsAttentionEndsIt() {
    Stuck stuck = needsAttention();

    Http.Reply r = act(ACME_ADMIN, stuck.deliveryId(),
        "{\"action\":\"CANCEL\",\"reason\":\"customer asked to stop\"}");

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().path("status").asString()).isEqualTo("CANCELLED");
    JsonNode cancelled = awaitStatus(ACME_CLIENT, stuck.deliveryId(), "CANCELLED");
    assertThat(cancelled.path("reason").asString()).isEqualTo("customer asked to stop");
    assertThat(mailTo(stuck.email())).isEmpty();
  }

  @Test
  void markDeliveredNeedsEvidenceAndThenSettlesTheDelivery() {
    Stuck stuck = needsAttention();
    Http.Reply noEvidence = act(ACME_SUPPORT, stuck.deliveryId(),
        "{\"action\":\"MARK_DELIVERED\",\"reason\":\"handed over\"}");
    assertThat(noEvidence.status()).isEqualTo(400);
    assertThat(noEvidence.errorFields()).containsExactly("evidence");

    Http.Reply r = act(ACME_SUPPORT, stuck.deliveryId(),
        "{\"action\":\"MARK_DELIVERED\",\"reason\":\"handed over at the desk\",\"evidence\":\"receipt #42\"}");

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    awaitStatus(ACME_CLIENT, stuck.deliveryId(), "DELIVERED");
  }

  @Test
  void anActionOnADeliveredDeliveryIs409() {
    String recipient = recipient(ACME_CLIENT, unique("done") + "@example.org", null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    String id = postDelivery(ACME_CLIENT, unique("key"), deliveryBody(recipient, "billing", template, null))
        .json().path("deliveryId").asString();
    awaitStatus(ACME_CLIENT, id, "DELIVERED");

    Http.Reply r = act(ACME_SUPPORT, id, "{\"action\":\"RETRY\",\"reason\":\"again please\"}");

    assertThat(r.status()).as(r.body()).isEqualTo(409);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().path("type").asString()).endsWith("/invalid-state");
    assertThat(r.json().path("detail").asString()).contains("DELIVERED");
  }

  @Test
  void theWorkflowsValidatorRejectionIs409WithItsMessage() {
    String phone = TwilioFake.phoneNumber();
    TwilioFake.accepts(twilio, phone, TwilioFake.sid());
    String recipient = recipient(ACME_CLIENT, null, phone, "alerts", false, true);
    String template = emailTemplate(ACME_CLIENT);
    String id = postDelivery(ACME_CLIENT, unique("key"), deliveryBody(recipient, "alerts", template, "[\"SMS\"]"))
        .json().path("deliveryId").asString();
    awaitStatus(ACME_CLIENT, id, "AWAITING_RECEIPT");

    Http.Reply r = act(ACME_SUPPORT, id, "{\"action\":\"RETRY\",\"reason\":\"impatient\"}");

    assertThat(r.status()).as(r.body()).isEqualTo(409);
    assertThat(r.json().path("detail").asString()).contains("retry").contains("AWAITING_RECEIPT");
    Http.Reply cancel = act(ACME_SUPPORT, id, "{\"action\":\"CANCEL\",\"reason\":\"clean up\"}");
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
    assertThat(cancel.json().path("status").asString()).isEqualTo("CANCELLED");
  }

  @Test
  void invalidActionsAre400NamingTheField() {
    String id = "dlv-00000000000000000000000000000000";
    Http.Reply noChannel = act(ACME_SUPPORT, id, "{\"action\":\"REROUTE\",\"reason\":\"x\"}");
    assertThat(noChannel.status()).isEqualTo(400);
    assertThat(noChannel.errorFields()).containsExactly("channel");

    Http.Reply nothing = act(ACME_SUPPORT, id, "{\"action\":\"DELETE\",\"channel\":\"PIGEON\"}");
    assertThat(nothing.status()).isEqualTo(400);
    assertThat(nothing.errorFields()).containsExactlyInAnyOrder("action", "reason", "channel");

    Http.Reply unknown = act(ACME_SUPPORT, id, "{\"action\":\"CANCEL\",\"reason\":\"x\"}");
    assertThat(unknown.status()).isEqualTo(404);
  }
}
