package dev.relay.api.recipients;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.api.support.TwilioFake;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Relay's own verification of an SMS number (issue 9, item 3), through the API against the real
 * workflow and activities: the code is read from the text WireMock (speaking Twilio's API)
 * received; a right code makes the number {@code attestation: relay}, which a tenant demanding
 * Relay verification then sends to; wrong codes count and lock; a double POST texts once; the
 * SMS guard and the per-number limit apply to the verification text itself.
 */
class SmsVerificationTest extends ApiTest {
  private static final Pattern CODE = Pattern.compile("code is ([0-9]{6})");

  @AfterEach
  void backToDefaults() {
    Http.Reply reset = http().put("/v1/settings/sms", ACME_ADMIN, "{}");
    assertThat(reset.status()).as(reset.body()).isEqualTo(200);
  }

  private static String path(String recipient) {
    return "/v1/recipients/" + recipient + "/contacts/SMS/verification";
  }

  private Http.Reply start(String recipient, String phone) {
    return http().post(path(recipient), ACME_CLIENT, "{\"address\":\"" + phone + "\"}");
  }

  private String started(String recipient, String phone) {
    Http.Reply r = start(recipient, phone);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r.json().path("verificationId").asString();
  }

  private Http.Reply confirm(String recipient, String verificationId, String code) {
    return http().post(path(recipient) + "/confirm", ACME_CLIENT,
        "{\"verificationId\":\"" + verificationId + "\",\"code\":\"" + code + "\"}");
  }

  private List<String> textsTo(String phone) {
    List<String> bodies = new ArrayList<>();
    for (LoggedRequest r : twilio.findAll(postRequestedFor(urlMatching(".*/Messages.json"))
        .withRequestBody(containing("To=" + URLEncoder.encode(phone, StandardCharsets.UTF_8))))) {
      for (String pair : r.getBodyAsString().split("&")) {
        if (pair.startsWith("Body=")) {
          bodies.add(URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8));
        }
      }
    }
    return bodies;
  }

  /** Waits for the verification text and reads its code. */
  private String codeTextedTo(String phone) {
    List<String> texts = await(() -> textsTo(phone), t -> !t.isEmpty(), "the code's text");
    Matcher m = CODE.matcher(texts.get(texts.size() - 1));
    assertThat(m.find()).as(texts.toString()).isTrue();
    return m.group(1);
  }

  private static String other(String code) {
    return "%06d".formatted((Integer.parseInt(code) + 1) % 1_000_000);
  }

  private String smsRecipient(String phone) {
    TwilioFake.accepts(twilio, phone, TwilioFake.sid());
    return recipient(ACME_CLIENT, null, phone, "alerts", false, true);
  }

  private JsonNode smsContact(String recipient) {
    JsonNode contacts = http().get("/v1/recipients/" + recipient, ACME_CLIENT).json()
        .path("contacts");
    for (JsonNode c : contacts) {
      if (c.path("channel").asString().equals("SMS")) {
        return c;
      }
    }
    throw new AssertionError("no SMS contact: " + contacts);
  }

  private List<String> auditOutcomes(String verificationId) {
    return jdbi.withHandle(h -> h.createQuery("select outcome from audit_events where"
            + " tenant_id = 'acme' and step = 'contact-verification' and detail like :v"
            + " order by id")
        .bind("v", "%" + verificationId + "%").mapTo(String.class).list());
  }

  @Test
  void aCodeTextedByRelayMakesTheNumberRelayVerified() {
    String phone = TwilioFake.phoneNumber();
    String recipient = smsRecipient(phone);
    assertThat(smsContact(recipient).path("attestation").asString()).isEqualTo("tenant");

    Http.Reply start = start(recipient, phone);
    assertThat(start.status()).as(start.body()).isEqualTo(202);
    assertThat(start.header("Location")).hasValueSatisfying(l -> assertThat(l).contains(
        start.json().path("verificationId").asString()));
    assertThat(start.json().path("expiresAt").asString()).isNotBlank();
    assertThat(start.json().path("attemptsLeft").asInt()).isEqualTo(5);
    String id = start.json().path("verificationId").asString();
    String code = codeTextedTo(phone);
    assertThat(http().get(path(recipient) + "/" + id, ACME_CLIENT).json().path("state")
        .asString()).isEqualTo("SENT");

    Http.Reply wrong = confirm(recipient, id, other(code));
    assertThat(wrong.status()).as(wrong.body()).isEqualTo(422);
    assertThat(wrong.contentType()).startsWith("application/problem+json");
    assertThat(wrong.json().path("type").asString()).endsWith("/verification-code-wrong");
    assertThat(wrong.json().path("attemptsLeft").asInt()).isEqualTo(4);
    assertThat(wrong.json().path("detail").asString()).contains("4 attempt(s) left");

    Http.Reply right = confirm(recipient, id, code);
    assertThat(right.status()).as(right.body()).isEqualTo(200);
    assertThat(right.json().path("contact").path("attestation").asString()).isEqualTo("relay");
    assertThat(smsContact(recipient).path("attestation").asString()).isEqualTo("relay");

    // Single use.
    Http.Reply again = confirm(recipient, id, code);
    assertThat(again.status()).as(again.body()).isEqualTo(409);
    // Audited, without the code or the number.
    assertThat(auditOutcomes(id)).containsExactly("started", "wrong-code", "confirmed", "refused");
    List<String> details = jdbi.withHandle(h -> h.createQuery("select detail from audit_events"
            + " where step = 'contact-verification' and detail like :v")
        .bind("v", "%" + id + "%").mapTo(String.class).list());
    assertThat(details).noneMatch(d -> d.contains(code) || d.contains(phone));
    // Only the keyed hash was ever stored, and it is gone once used.
    assertThat(jdbi.<Integer, RuntimeException>withHandle(h -> h.createQuery(
            "select count(*) from contact_verifications where code_hash is not null and id = :id")
        .bind("id", id).mapTo(Integer.class).one())).isZero();
  }

  @Test
  void aTenantDemandingRelayVerificationTextsOnlyRelayVerifiedNumbers() {
    String verifiedPhone = TwilioFake.phoneNumber();
    String verified = smsRecipient(verifiedPhone);
    String attestedPhone = TwilioFake.phoneNumber();
    String attested = smsRecipient(attestedPhone);
    Http.Reply policy = http().put("/v1/settings/sms", ACME_ADMIN,
        "{\"smsRequiresRelayVerification\":true}");
    assertThat(policy.status()).as(policy.body()).isEqualTo(200);

    // The policy does not stop the verification text itself.
    String id = started(verified, verifiedPhone);
    Http.Reply ok = confirm(verified, id, codeTextedTo(verifiedPhone));
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);

    String template = emailTemplate(ACME_CLIENT);
    Http.Reply refused = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(attested, "alerts", template, "[\"SMS\"]"));
    assertThat(refused.status()).as(refused.body()).isEqualTo(202);
    JsonNode rejected = awaitStatus(ACME_CLIENT, refused.json().path("deliveryId").asString(),
        "REJECTED");
    assertThat(rejected.path("reason").asString()).contains("CONTACT_NOT_RELAY_VERIFIED");
    assertThat(textsTo(attestedPhone)).isEmpty();

    Http.Reply sent = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(verified, "alerts", template, "[\"SMS\"]"));
    assertThat(sent.status()).as(sent.body()).isEqualTo(202);
    awaitStatus(ACME_CLIENT, sent.json().path("deliveryId").asString(), "AWAITING_RECEIPT");
    assertThat(textsTo(verifiedPhone)).hasSize(2).last().asString().contains("Hello Ada");
  }

  @Test
  void fiveWrongCodesLockTheVerification() {
    String phone = TwilioFake.phoneNumber();
    String recipient = smsRecipient(phone);
    String id = started(recipient, phone);
    String code = codeTextedTo(phone);
    for (int left = 4; left >= 1; left--) {
      Http.Reply wrong = confirm(recipient, id, other(code));
      assertThat(wrong.status()).as(wrong.body()).isEqualTo(422);
      assertThat(wrong.json().path("attemptsLeft").asInt()).isEqualTo(left);
    }
    Http.Reply fifth = confirm(recipient, id, other(code));
    assertThat(fifth.status()).as(fifth.body()).isEqualTo(409);
    assertThat(fifth.json().path("type").asString()).endsWith("/verification-locked");
    assertThat(fifth.json().path("detail").asString()).contains("start a new one");
    // Locked: even the right code no longer works.
    Http.Reply right = confirm(recipient, id, code);
    assertThat(right.status()).as(right.body()).isEqualTo(409);
    assertThat(right.json().path("type").asString()).endsWith("/verification-locked");
    assertThat(smsContact(recipient).path("attestation").asString()).isEqualTo("tenant");
    assertThat(auditOutcomes(id)).containsSubsequence("started", "wrong-code", "locked",
        "refused");
  }

  @Test
  void aDoublePostTextsOneCodeAndTheNumbersLimitHolds() {
    String phone = TwilioFake.phoneNumber();
    String recipient = smsRecipient(phone);
    String first = started(recipient, phone);
    Http.Reply second = start(recipient, phone);
    assertThat(second.status()).as(second.body()).isEqualTo(202);
    assertThat(second.json().path("verificationId").asString()).isEqualTo(first);
    assertThat(second.json().path("repeated").asBoolean()).isTrue();
    codeTextedTo(phone);
    await(() -> http().get(path(recipient) + "/" + first, ACME_CLIENT).json().path("state")
        .asString(), "SENT"::equals, "SENT");
    assertThat(textsTo(phone)).hasSize(1);

    // Two more started within the hour (made directly): the number's limit of 3 is reached.
    jdbi.useHandle(h -> h.createUpdate("""
            insert into contact_verifications (id, tenant_id, recipient_id, channel, address,
              state, created_at, expires_at)
            select 'ver-test-' || n || '-' || :r, 'acme', :r, 'SMS', :a, 'SUPERSEDED',
              now() - interval '20 minutes', now() - interval '10 minutes'
            from generate_series(1, 2) n
            """).bind("r", recipient).bind("a", phone).execute());
    jdbi.useHandle(h -> h.createUpdate(
        "update contact_verifications set created_at = now() - interval '2 minutes' where id = :id")
        .bind("id", first).execute());
    Http.Reply limited = start(recipient, phone);
    assertThat(limited.status()).as(limited.body()).isEqualTo(429);
    assertThat(limited.json().path("type").asString()).endsWith("/too-many-requests");
    assertThat(limited.json().path("limit").asString()).contains("3 verifications per PT1H");
    assertThat(Long.parseLong(limited.header("Retry-After").orElseThrow()))
        .isBetween(30 * 60L, 41 * 60L);
    assertThat(textsTo(phone)).hasSize(1);
  }

  @Test
  void theVerificationTextPassesTheSmsGuard() {
    String phone = TwilioFake.phoneNumber();
    String recipient = smsRecipient(phone);
    assertThat(http().put("/v1/settings/sms", ACME_ADMIN, "{\"recipientLimit\":1}").status())
        .isEqualTo(200);
    Http.Reply delivery = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "alerts", emailTemplate(ACME_CLIENT), "[\"SMS\"]"));
    awaitStatus(ACME_CLIENT, delivery.json().path("deliveryId").asString(), "AWAITING_RECEIPT");

    // The number had its one SMS of the hour: the code is not texted.
    String id = started(recipient, phone);
    JsonNode failed = await(() -> http().get(path(recipient) + "/" + id, ACME_CLIENT).json(),
        v -> v.path("state").asString().equals("FAILED"), "FAILED");
    assertThat(failed.path("failure").asString()).contains("SMS_VELOCITY_EXCEEDED");
    assertThat(textsTo(phone)).hasSize(1);
    Http.Reply confirm = confirm(recipient, id, "123456");
    assertThat(confirm.status()).as(confirm.body()).isEqualTo(409);
    assertThat(confirm.json().path("detail").asString()).contains("not sent");
    assertThat(auditOutcomes(id)).contains("started", "not-sent");

    // Outside the tenant's allowlist: refused before anything is started.
    assertThat(http().put("/v1/settings/sms", ACME_ADMIN, "{\"allowedRegions\":[\"GB\"]}")
        .status()).isEqualTo(200);
    Http.Reply refused = start(recipient, phone);
    assertThat(refused.status()).as(refused.body()).isEqualTo(422);
    assertThat(refused.json().path("type").asString()).endsWith("/sms-destination-refused");
    assertThat(refused.errorFields()).containsExactly("address");
  }

  @Test
  void anExpiredCodeIsGone() {
    String phone = TwilioFake.phoneNumber();
    String recipient = smsRecipient(phone);
    String id = started(recipient, phone);
    String code = codeTextedTo(phone);
    await(() -> http().get(path(recipient) + "/" + id, ACME_CLIENT).json().path("state")
        .asString(), "SENT"::equals, "SENT");
    jdbi.useHandle(h -> h.createUpdate("update contact_verifications set expires_at = now()"
        + " - interval '1 second' where id = :id").bind("id", id).execute());
    Http.Reply expired = confirm(recipient, id, code);
    assertThat(expired.status()).as(expired.body()).isEqualTo(410);
    assertThat(expired.json().path("type").asString()).endsWith("/verification-expired");
    assertThat(smsContact(recipient).path("attestation").asString()).isEqualTo("tenant");
  }

  @Test
  void badRequestsAreProblemsNeverErrors() {
    String phone = TwilioFake.phoneNumber();
    String recipient = smsRecipient(phone);
    assertThat(start("nobody-" + unique("x"), phone).status()).isEqualTo(404);
    Http.Reply notTheirs = start(recipient, TwilioFake.phoneNumber());
    assertThat(notTheirs.status()).as(notTheirs.body()).isEqualTo(422);
    assertThat(notTheirs.errorFields()).containsExactly("address");
    Http.Reply noAddress = http().post(path(recipient), ACME_CLIENT, "{}");
    assertThat(noAddress.status()).isEqualTo(400);
    assertThat(noAddress.errorFields()).containsExactly("address");
    Http.Reply notJson = http().post(path(recipient), ACME_CLIENT, "{\"address\":");
    assertThat(notJson.status()).isEqualTo(400);
    Http.Reply badCode = http().post(path(recipient) + "/confirm", ACME_CLIENT,
        "{\"verificationId\":\"nope\",\"code\":\"12ab\"}");
    assertThat(badCode.status()).isEqualTo(400);
    assertThat(badCode.errorFields()).containsExactlyInAnyOrder("verificationId", "code");
    Http.Reply unknown = confirm(recipient, "ver-00000000-0000-0000-0000-000000000000", "123456");
    assertThat(unknown.status()).isEqualTo(404);
    // Support may read a verification but not start one.
    assertThat(http().post(path(recipient), ACME_SUPPORT, "{\"address\":\"" + phone + "\"}")
        .status()).isEqualTo(403);
    // Another tenant cannot see or confirm it.
    String id = started(recipient, phone);
    assertThat(http().get(path(recipient) + "/" + id, GLOBEX_CLIENT).status()).isEqualTo(404);
    assertThat(http().post(path(recipient) + "/confirm", GLOBEX_CLIENT,
        "{\"verificationId\":\"" + id + "\",\"code\":\"123456\"}").status()).isEqualTo(404);
  }
}
