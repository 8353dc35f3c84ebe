package dev.relay.api.recipients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class RecipientsAndConsentTest extends ApiTest {

  @Test
  void aRecipientRoundTripsAndIsReplacedWhole() {
    String id = unique("rcp");
    Http.Reply put = http().put("/v1/recipients/" + id, ACME_CLIENT, """
        {"displayName":"Grace Hopper","active":true,"contacts":[
          {"channel":"EMAIL","address":"grace@example.org","verified":true},
          {"channel":"SMS","address":"+15551234567","verified":false,"suppressedReason":"opt-out"}]}
        """);
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    JsonNode got = http().get("/v1/recipients/" + id, ACME_CLIENT).json();
    assertThat(got.path("id").asString()).isEqualTo(id);
    assertThat(got.path("displayName").asString()).isEqualTo("Grace Hopper");
    assertThat(got.path("active").asBoolean()).isTrue();
    assertThat(got.path("contacts").size()).isEqualTo(2);
    assertThat(got.path("contacts").get(1).path("suppressedReason").asString()).isEqualTo("opt-out");

    Http.Reply replaced = http().put("/v1/recipients/" + id, ACME_CLIENT,
        "{\"displayName\":\"Grace\",\"active\":false,\"contacts\":[{\"channel\":\"EMAIL\",\"address\":\"g@example.org\"}]}");
    assertThat(replaced.status()).isEqualTo(200);
    JsonNode after = replaced.json();
    assertThat(after.path("active").asBoolean()).isFalse();
    assertThat(after.path("contacts").size()).isEqualTo(1);
    assertThat(after.path("contacts").get(0).path("verified").asBoolean()).isFalse();
  }

  @Test
  void invalidRecipientsAre400NamingEachField() {
    Http.Reply r = http().put("/v1/recipients/" + unique("rcp"), ACME_CLIENT, """
        {"contacts":[
          {"channel":"EMAIL","address":"not an email"},
          {"channel":"SMS","address":"555-1234"},
          {"channel":"EMAIL","address":"ok@example.org"},
          {"channel":"PIGEON","address":"roof"},
          {"address":"x@example.org"}]}
        """);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.errorFields()).contains("contacts", "contacts[0].address", "contacts[1].address",
        "contacts[2].channel", "contacts[3].channel", "contacts[4].channel");

    Http.Reply badId = http().put("/v1/recipients/-bad-id", ACME_CLIENT, "{}");
    assertThat(badId.status()).isEqualTo(400);
    assertThat(badId.errorFields()).containsExactly("id");
    Http.Reply wrongType = http().put("/v1/recipients/" + unique("rcp"), ACME_CLIENT, "{\"active\":\"yes\"}");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.errorFields()).containsExactly("active");
    assertThat(http().get("/v1/recipients/nobody-here", ACME_CLIENT).status()).isEqualTo(404);
  }

  @Test
  void consentIsVersionedWithItsHistory() {
    String id = unique("rcp");
    http().put("/v1/recipients/" + id, ACME_CLIENT, "{\"displayName\":\"Linus\"}");
    Http.Reply none = http().get("/v1/recipients/" + id + "/consents/marketing", ACME_CLIENT);
    assertThat(none.status()).isEqualTo(200);
    assertThat(none.json().path("current").isNull()).isTrue();
    assertThat(none.json().path("history").size()).isZero();

    Http.Reply v1 = http().put("/v1/recipients/" + id + "/consents/marketing", ACME_CLIENT,
        "{\"channels\":{\"EMAIL\":true,\"SMS\":true},\"source\":\"signup-form\",\"evidence\":\"submission 7\"}");
    assertThat(v1.status()).as(v1.body()).isEqualTo(200);
    assertThat(v1.json().path("version").asInt()).isEqualTo(1);
    Http.Reply v2 = http().put("/v1/recipients/" + id + "/consents/marketing", ACME_CLIENT,
        "{\"channels\":{\"SMS\":false},\"source\":\"sms-stop\"}");
    assertThat(v2.json().path("version").asInt()).isEqualTo(2);
    assertThat(v2.json().path("channels").path("EMAIL").asBoolean()).isTrue();
    assertThat(v2.json().path("channels").path("SMS").asBoolean()).isFalse();

    JsonNode state = http().get("/v1/recipients/" + id + "/consents/marketing", ACME_CLIENT).json();
    assertThat(state.path("current").path("version").asInt()).isEqualTo(2);
    assertThat(state.path("current").path("source").asString()).isEqualTo("sms-stop");
    assertThat(state.path("history").valueStream().map(v -> v.path("version").asInt()))
        .containsExactly(2, 1);
    assertThat(state.path("history").get(1).path("evidence").asString()).isEqualTo("submission 7");
  }

  @Test
  void invalidConsentIs400AndAnUnknownRecipient404() {
    String id = unique("rcp");
    http().put("/v1/recipients/" + id, ACME_CLIENT, "{}");
    Http.Reply r = http().put("/v1/recipients/" + id + "/consents/marketing", ACME_CLIENT,
        "{\"channels\":{\"FAX\":true,\"SMS\":null}}");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.errorFields()).containsExactlyInAnyOrder("channels.FAX", "channels.SMS", "source");
    Http.Reply badPurpose = http().put("/v1/recipients/" + id + "/consents/Not%20Valid", ACME_CLIENT,
        "{\"channels\":{\"EMAIL\":true},\"source\":\"x\"}");
    assertThat(badPurpose.status()).isEqualTo(400);
    assertThat(badPurpose.errorFields()).containsExactly("purpose");
    Http.Reply empty = http().put("/v1/recipients/" + id + "/consents/marketing", ACME_CLIENT,
        "{\"channels\":{},\"source\":\"x\"}");
    assertThat(empty.errorFields()).containsExactly("channels");
    assertThat(http().put("/v1/recipients/nobody-" + id + "/consents/marketing", ACME_CLIENT,
        "{\"channels\":{\"EMAIL\":true},\"source\":\"x\"}").status()).isEqualTo(404);
  }
}
