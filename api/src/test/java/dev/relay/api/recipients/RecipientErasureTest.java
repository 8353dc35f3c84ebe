package dev.relay.api.recipients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** DELETE /v1/recipients/{id}/data-key: crypto-shredding a recipient, admin only, audited. */
class RecipientErasureTest extends ApiTest {

  @Test
  void anAdminErasesARecipientsSealedDataAndReadsSayErasedNot500() {
    String id = recipient(ACME_CLIENT, "erase-me@example.org", null, "billing", true, false);
    String evidence = "signed paper form " + id;
    http().put("/v1/recipients/" + id + "/consents/billing", ACME_CLIENT,
        "{\"channels\":{\"SMS\":true},\"source\":\"paper\",\"evidence\":\"" + evidence + "\"}");
    // Sealed in the database: the evidence is in no column, neither as text nor as bytes.
    String hex = HexFormat.of().formatHex(evidence.getBytes(StandardCharsets.UTF_8));
    assertThat(count("select count(*) from consents c where c::text like ? or c::text like ?",
        "%" + evidence + "%", "%" + hex + "%")).isZero();
    assertThat(http().get("/v1/recipients/" + id + "/consents/billing", ACME_CLIENT).json()
        .path("current").path("evidence").asString()).isEqualTo(evidence);

    Http.Reply erased = http().send("DELETE", "/v1/recipients/" + id + "/data-key?reason=GDPR%20art.%2017",
        ACME_ADMIN, null, (String) null);
    assertThat(erased.status()).as(erased.body()).isEqualTo(200);
    assertThat(erased.json().path("recipientId").asString()).isEqualTo(id);
    assertThat(erased.json().path("keysDestroyed").asInt()).isEqualTo(1);

    Http.Reply after = http().get("/v1/recipients/" + id + "/consents/billing", ACME_CLIENT);
    assertThat(after.status()).as(after.body()).isEqualTo(200);
    for (JsonNode v : after.json().path("history")) {
      assertThat(v.path("evidence").isNull()).as(v.toString()).isTrue();
      assertThat(v.path("evidenceErased").asBoolean()).isTrue();
    }
    // The decisions stay: version 2 still grants EMAIL and SMS.
    assertThat(after.json().path("current").path("channels").path("SMS").asBoolean()).isTrue();
    assertThat(count("""
        select count(*) from audit_events where tenant_id = 'acme'
          and step = 'recipient-data-keys-destroyed' and actor = 'admin:root'
          and detail = ?""", "recipient " + id + ": 1 data key(s) destroyed; reason: GDPR art. 17"))
        .isEqualTo(1);

    // Idempotent.
    Http.Reply again = http().send("DELETE", "/v1/recipients/" + id + "/data-key", ACME_ADMIN,
        null, (String) null);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().path("keysDestroyed").asInt()).isZero();
  }

  @Test
  void onlyAnAdminMayEraseAndBadInputIsAProblem() {
    String id = recipient(ACME_CLIENT, "keep-me@example.org", null, "billing", true, false);
    String path = "/v1/recipients/" + id + "/data-key";
    assertThat(http().send("DELETE", path, ACME_CLIENT, null, (String) null).status())
        .isEqualTo(403);
    assertThat(http().send("DELETE", path, ACME_SUPPORT, null, (String) null).status())
        .isEqualTo(403);
    assertThat(http().send("DELETE", path, null, null, (String) null).status()).isEqualTo(401);

    Http.Reply unknown = http().send("DELETE", "/v1/recipients/nobody-here/data-key", ACME_ADMIN,
        null, (String) null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.contentType()).startsWith("application/problem+json");
    Http.Reply badId = http().send("DELETE", "/v1/recipients/-bad-id/data-key", ACME_ADMIN, null,
        (String) null);
    assertThat(badId.status()).isEqualTo(400);
    assertThat(badId.errorFields()).containsExactly("id");
    Http.Reply longReason = http().send("DELETE", path + "?reason=" + "x".repeat(501), ACME_ADMIN,
        null, (String) null);
    assertThat(longReason.status()).isEqualTo(400);
    assertThat(longReason.errorFields()).containsExactly("reason");
    // Nothing was destroyed by the refused calls.
    assertThat(http().get("/v1/recipients/" + id + "/consents/billing", ACME_CLIENT).json()
        .path("current").path("evidence").asString()).isEqualTo("form-1");
  }
}
