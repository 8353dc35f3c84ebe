package dev.relay.api.settings;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.api.support.TwilioFake;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The SMS-pumping defence (issue 9, item 3), through the API against the real workflow and
 * activities, with WireMock speaking Twilio's API counting what reaches it: a burst to one prefix
 * pauses the tenant's SMS after the threshold (the sends past it are not made), an admin lifts
 * the pause, numbers outside the allowlist are refused with a 422, the segment cap and the
 * per-recipient limit stop a send before Twilio.
 */
class SmsPumpingTest extends ApiTest {
  private static final String SETTINGS = "/v1/settings/sms";

  @AfterEach
  void backToDefaults() {
    http().post(SETTINGS + "/pause/lift", ACME_ADMIN, "{\"reason\":\"test cleanup\"}");
    Http.Reply reset = http().put(SETTINGS, ACME_ADMIN, "{}");
    assertThat(reset.status()).as(reset.body()).isEqualTo(200);
  }

  private void settings(String json) {
    Http.Reply put = http().put(SETTINGS, ACME_ADMIN, json);
    assertThat(put.status()).as(put.body()).isEqualTo(200);
  }

  private int smsRequestsTo(String phone) {
    return twilio.findAll(postRequestedFor(urlMatching(".*/Messages.json"))
        .withRequestBody(containing("To=" + URLEncoder.encode(phone, StandardCharsets.UTF_8))))
        .size();
  }

  private String smsDelivery(String recipient, String template) {
    Http.Reply r = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "alerts", template, "[\"SMS\"]"));
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r.json().path("deliveryId").asString();
  }

  private static String example(String region) {
    PhoneNumberUtil u = PhoneNumberUtil.getInstance();
    return u.format(u.getExampleNumberForType(region, PhoneNumberType.MOBILE),
        PhoneNumberFormat.E164);
  }

  @Test
  void aBurstToOnePrefixPausesTheTenantsSmsUntilAnAdminLiftsIt() {
    // 10-digit prefixes, so this test's numbers share one no other test uses.
    String prefix = "+1555" + (100_000 + ThreadLocalRandom.current().nextInt(899_999));
    settings("{\"prefixLimit\":3,\"prefixWindow\":\"PT10M\",\"prefixDigits\":10}");
    String template = emailTemplate(ACME_CLIENT);
    List<String> phones = new ArrayList<>();
    List<String> deliveries = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      String phone = prefix + "%02d".formatted(i);
      phones.add(phone);
      TwilioFake.accepts(twilio, phone, TwilioFake.sid());
      deliveries.add(smsDelivery(recipient(ACME_CLIENT, null, phone, "alerts", false, true),
          template));
      if (i <= 3) {
        awaitStatus(ACME_CLIENT, deliveries.get(i - 1), "AWAITING_RECEIPT");
      }
    }
    // The fourth crossed the threshold and paused the tenant's SMS; the fifth met the pause.
    for (int i = 3; i < 5; i++) {
      JsonNode stopped = awaitStatus(ACME_CLIENT, deliveries.get(i), "NEEDS_ATTENTION");
      assertThat(stopped.path("reason").asString()).contains("SMS_PAUSED");
    }
    assertThat(phones.stream().map(this::smsRequestsTo).toList()).containsExactly(1, 1, 1, 0, 0);

    Http.Reply pause = http().get(SETTINGS + "/pause", ACME_ADMIN);
    assertThat(pause.status()).as(pause.body()).isEqualTo(200);
    assertThat(pause.json().path("prefix").asString()).isEqualTo(prefix);
    assertThat(http().get(SETTINGS, ACME_ADMIN).json().path("pause").path("prefix").asString())
        .isEqualTo(prefix);
    assertThat(jdbi.<Integer, RuntimeException>withHandle(h -> h.createQuery("""
            select count(*) from audit_events where tenant_id = 'acme' and step = 'sms-pause'
              and outcome = 'paused' and actor = 'relay'
            """).mapTo(Integer.class).one())).isPositive();

    // Only admins see and lift it, with a reason.
    assertThat(http().post(SETTINGS + "/pause/lift", ACME_CLIENT, "{\"reason\":\"x\"}").status())
        .isEqualTo(403);
    Http.Reply noReason = http().post(SETTINGS + "/pause/lift", ACME_ADMIN, "{}");
    assertThat(noReason.status()).isEqualTo(400);
    assertThat(noReason.errorFields()).containsExactly("reason");
    Http.Reply lifted = http().post(SETTINGS + "/pause/lift", ACME_ADMIN,
        "{\"reason\":\"checked with the customer: a real campaign\"}");
    assertThat(lifted.status()).as(lifted.body()).isEqualTo(200);
    assertThat(http().get(SETTINGS + "/pause", ACME_ADMIN).status()).isEqualTo(404);
    assertThat(jdbi.<String, RuntimeException>withHandle(h -> h.createQuery("""
            select actor from audit_events where tenant_id = 'acme' and step = 'sms-pause'
              and outcome = 'lifted' order by id desc limit 1
            """).mapTo(String.class).one())).isEqualTo("admin:root");

    // Support retries what the pause stopped: it is sent now.
    Http.Reply retry = http().post("/v1/deliveries/" + deliveries.get(4) + "/actions",
        ACME_SUPPORT, "{\"action\":\"RETRY\",\"reason\":\"SMS resumed after the pause\"}");
    assertThat(retry.status()).as(retry.body()).isEqualTo(200);
    awaitStatus(ACME_CLIENT, deliveries.get(4), "AWAITING_RECEIPT");
    assertThat(smsRequestsTo(phones.get(4))).isEqualTo(1);
    assertThat(smsRequestsTo(phones.get(3))).isZero();
  }

  @Test
  void numbersOutsideTheAllowlistAreRefusedWith422AndAtSendTime() {
    String phone = TwilioFake.phoneNumber(); // +1555…: allowed while no allowlist is set
    TwilioFake.accepts(twilio, phone, TwilioFake.sid());
    String stored = recipient(ACME_CLIENT, null, phone, "alerts", false, true);
    assertThat(http().put(SETTINGS, ACME_ADMIN, "{\"allowedRegions\":[\"gb\"]}").errorFields())
        .as("region codes as the document spells them").containsExactly("allowedRegions[0]");
    settings("{\"allowedRegions\":[\"GB\",\"IE\"]}");
    assertThat(http().get(SETTINGS, ACME_ADMIN).json().path("effective").path("allowedRegions")
        .valueStream().map(JsonNode::asString).toList()).containsExactly("GB", "IE");

    String german = example("DE");
    Http.Reply refused = http().put("/v1/recipients/" + unique("rcp"), ACME_CLIENT,
        "{\"displayName\":\"Test\",\"contacts\":[{\"channel\":\"EMAIL\",\"address\":"
            + "\"a@example.org\"},{\"channel\":\"SMS\",\"address\":\"" + german
            + "\",\"verified\":true}]}");
    assertThat(refused.status()).as(refused.body()).isEqualTo(422);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.json().path("type").asString()).endsWith("/sms-destination-refused");
    assertThat(refused.json().path("detail").asString()).contains("DE");
    assertThat(refused.errorFields()).containsExactly("contacts[1].address");
    assertThat(refused.json().path("errors").get(0).path("message").asString())
        .contains("region DE");
    // A fictional +1555 number is not valid once an allowlist applies.
    Http.Reply invalid = http().put("/v1/recipients/" + unique("rcp"), ACME_CLIENT,
        "{\"contacts\":[{\"channel\":\"SMS\",\"address\":\"" + phone + "\"}]}");
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.errorFields()).containsExactly("contacts[0].address");

    Http.Reply british = http().put("/v1/recipients/" + unique("rcp"), ACME_CLIENT,
        "{\"contacts\":[{\"channel\":\"SMS\",\"address\":\"" + example("GB")
            + "\",\"verified\":true}]}");
    assertThat(british.status()).as(british.body()).isEqualTo(200);
    assertThat(british.json().path("contacts").get(0).path("attestation").asString())
        .isEqualTo("tenant");

    // Stored before the allowlist: refused when it is sent, Twilio never called.
    JsonNode rejected = awaitStatus(ACME_CLIENT, smsDelivery(stored, emailTemplate(ACME_CLIENT)),
        "REJECTED");
    assertThat(rejected.path("reason").asString()).contains("SMS_DESTINATION_REFUSED");
    assertThat(smsRequestsTo(phone)).isZero();
  }

  @Test
  void anSmsOverTheSegmentCapIsNotSent() {
    settings("{\"maxSegments\":1}");
    String phone = TwilioFake.phoneNumber();
    TwilioFake.accepts(twilio, phone, TwilioFake.sid());
    String recipient = recipient(ACME_CLIENT, null, phone, "alerts", false, true);
    String template = unique("tpl");
    Http.Reply put = http().put("/v1/templates/" + template, ACME_CLIENT,
        "{\"smsBody\":\"Hello {{name}}, " + "ж".repeat(80) + "\"}");
    assertThat(put.status()).as(put.body()).isEqualTo(200);

    JsonNode stopped = awaitStatus(ACME_CLIENT, smsDelivery(recipient, template),
        "NEEDS_ATTENTION");
    assertThat(stopped.path("reason").asString()).contains("SMS_TOO_MANY_SEGMENTS")
        .contains("UCS-2");
    assertThat(smsRequestsTo(phone)).isZero();
  }

  @Test
  void aRecipientGetsNoMoreThanItsLimitPerWindow() {
    settings("{\"recipientLimit\":2,\"recipientWindow\":\"PT1H\"}");
    String phone = TwilioFake.phoneNumber();
    TwilioFake.accepts(twilio, phone, TwilioFake.sid());
    String recipient = recipient(ACME_CLIENT, null, phone, "alerts", false, true);
    String template = emailTemplate(ACME_CLIENT);
    awaitStatus(ACME_CLIENT, smsDelivery(recipient, template), "AWAITING_RECEIPT");
    awaitStatus(ACME_CLIENT, smsDelivery(recipient, template), "AWAITING_RECEIPT");
    JsonNode third = awaitStatus(ACME_CLIENT, smsDelivery(recipient, template),
        "NEEDS_ATTENTION");
    assertThat(third.path("reason").asString()).contains("SMS_VELOCITY_EXCEEDED");
    assertThat(smsRequestsTo(phone)).isEqualTo(2);
    assertThat(http().get(SETTINGS + "/pause", ACME_ADMIN).status()).isEqualTo(404);
  }

  @Test
  void aTenantCanDemandRelayVerifiedNumbers() {
    String phone = TwilioFake.phoneNumber();
    TwilioFake.accepts(twilio, phone, TwilioFake.sid());
    String recipient = recipient(ACME_CLIENT, null, phone, "alerts", false, true);
    settings("{\"smsRequiresRelayVerification\":true}");
    JsonNode rejected = awaitStatus(ACME_CLIENT, smsDelivery(recipient,
        emailTemplate(ACME_CLIENT)), "REJECTED");
    assertThat(rejected.path("reason").asString()).contains("CONTACT_NOT_RELAY_VERIFIED")
        .contains("tenant-attested");
    assertThat(smsRequestsTo(phone)).isZero();
  }

  @Test
  void settingsAreForAdminsAndBadFieldsAreNamed() {
    assertThat(http().get(SETTINGS, ACME_CLIENT).status()).isEqualTo(403);
    Http.Reply bad = http().put(SETTINGS, ACME_ADMIN, "{\"allowedRegions\":[\"GB\",\"XX\"],"
        + "\"maxSegments\":0,\"prefixDigits\":1,\"prefixWindow\":\"10 minutes\"}");
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    assertThat(bad.errorFields()).containsExactlyInAnyOrder("allowedRegions[1]", "maxSegments",
        "prefixDigits", "prefixWindow");
    Http.Reply tooLong = http().put(SETTINGS, ACME_ADMIN, "{\"prefixWindow\":\"P30D\"}");
    assertThat(tooLong.status()).as("well-formed, out of range").isEqualTo(422);
    assertThat(tooLong.errorFields()).containsExactly("prefixWindow");
    JsonNode defaults = http().get(SETTINGS, ACME_ADMIN).json();
    assertThat(defaults.path("effective").path("maxSegments").asInt()).isEqualTo(4);
    assertThat(defaults.path("settings").path("maxSegments").isNull()).isTrue();
  }
}
