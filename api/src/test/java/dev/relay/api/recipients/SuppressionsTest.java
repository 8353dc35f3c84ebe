package dev.relay.api.recipients;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.api.support.TwilioFake;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A STOP reply (Twilio 21610) becomes a suppression the server owns: the next SMS is not sent,
 * a PUT of the recipient cannot clear it, the delivery falls back to another consented channel,
 * and only support can lift it, audited.
 */
class SuppressionsTest extends ApiTest {

  private String smsContact(JsonNode recipient) {
    for (JsonNode c : recipient.path("contacts")) {
      if (c.path("channel").asString().equals("SMS")) {
        return c.path("suppressedReason").isNull() ? null : c.path("suppressedReason").asString();
      }
    }
    throw new AssertionError("no SMS contact in " + recipient);
  }

  private int smsRequestsTo(String phone) {
    return twilio.findAll(postRequestedFor(urlMatching(".*/Messages.json"))
        .withRequestBody(containing("To=" + URLEncoder.encode(phone, StandardCharsets.UTF_8))))
        .size();
  }

  @Test
  void aStopReplySuppressesTheNextSmsAndOnlySupportCanLiftIt() {
    String phone = TwilioFake.phoneNumber();
    TwilioFake.rejectsAsUnsubscribed(twilio, phone);
    String email = unique("stop") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, phone, "alerts", true, true);
    String template = emailTemplate(ACME_CLIENT);

    String first = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "alerts", template, "[\"SMS\"]")).json().path("deliveryId").asString();
    awaitStatus(ACME_CLIENT, first, "NEEDS_ATTENTION");
    assertThat(smsRequestsTo(phone)).isEqualTo(1);
    String path = "/v1/recipients/" + recipient;
    assertThat(smsContact(http().get(path, ACME_CLIENT).json())).startsWith("STOP").contains("21610");

    // The client re-sends the recipient without a suppression: it stays.
    Http.Reply put = http().put(path, ACME_CLIENT, "{\"displayName\":\"Test Person\",\"active\":true,"
        + "\"contacts\":[{\"channel\":\"EMAIL\",\"address\":\"" + email + "\",\"verified\":true},"
        + "{\"channel\":\"SMS\",\"address\":\"" + phone + "\",\"verified\":true,"
        + "\"suppressedReason\":\"\"}]}");
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    assertThat(smsContact(put.json())).startsWith("STOP");

    // SMS only: rejected without calling Twilio again.
    String second = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "alerts", template, "[\"SMS\"]")).json().path("deliveryId").asString();
    JsonNode rejected = awaitStatus(ACME_CLIENT, second, "REJECTED");
    assertThat(rejected.path("reason").asString()).contains("suppressed");
    // SMS then email: the suppressed channel is passed over for the next consented one.
    String third = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "alerts", template, "[\"SMS\",\"EMAIL\"]")).json()
        .path("deliveryId").asString();
    awaitStatus(ACME_CLIENT, third, "DELIVERED");
    assertThat(mailTo(email)).hasSize(1);
    assertThat(smsRequestsTo(phone)).isEqualTo(1);

    // Lifting: not for clients, needs a reason, audited.
    String lift = path + "/suppressions/SMS/lift";
    assertThat(http().post(lift, ACME_CLIENT, "{\"reason\":\"please\"}").status()).isEqualTo(403);
    Http.Reply noReason = http().post(lift, ACME_SUPPORT, "{}");
    assertThat(noReason.status()).isEqualTo(400);
    assertThat(noReason.errorFields()).containsExactly("reason");
    Http.Reply lifted = http().post(lift, ACME_SUPPORT,
        "{\"reason\":\"customer texted START, ticket 4711\"}");
    assertThat(lifted.status()).as(lifted.body()).isEqualTo(200);
    assertThat(lifted.json().path("reason").asString()).isEqualTo("STOP");
    assertThat(lifted.json().path("liftedBy").asString()).isEqualTo("support:alice.support");
    assertThat(smsContact(http().get(path, ACME_CLIENT).json())).isNull();
    assertThat(http().post(lift, ACME_SUPPORT, "{\"reason\":\"again\"}").status()).isEqualTo(404);

    JsonNode history = http().get(path + "/suppressions", ACME_CLIENT).json().path("suppressions");
    assertThat(history).hasSize(1);
    assertThat(history.get(0).path("deliveryId").asString()).isEqualTo(first);
    assertThat(history.get(0).path("liftReason").asString()).contains("ticket 4711");
    var outcomes = jdbi.withHandle(h -> h.createQuery("""
            select outcome from audit_events where tenant_id = 'acme' and step = 'suppression'
              and (detail like :added or detail like :lifted) order by chain_seq
            """).bind("added", "%delivery " + first + "%").bind("lifted", "%" + recipient + "%")
        .mapTo(String.class).list());
    assertThat(outcomes).containsExactly("added", "lifted");
  }
}
