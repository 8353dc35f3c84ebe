package dev.relay.api.unsubscribe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.api.support.RelayTestInfrastructure;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * RFC 8058: emails of a non-essential purpose carry List-Unsubscribe and List-Unsubscribe-Post;
 * the one-click POST withdraws email consent for that purpose (a GET does not); a forged link is
 * refused; essential purposes carry no link.
 */
class OneClickUnsubscribeTest extends ApiTest {

  private MimeMessage deliverOne(String recipient, String purpose, String template, String email) {
    String id = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, purpose, template, "[\"EMAIL\"]")).json().path("deliveryId")
        .asString();
    awaitStatus(ACME_CLIENT, id, "DELIVERED");
    List<MimeMessage> mails = mailTo(email);
    return mails.get(mails.size() - 1);
  }

  @Test
  void oneClickWithdrawsEmailConsentForThatPurposeOnly() throws Exception {
    String purpose = unique("news");
    Http.Reply marked = http().put("/v1/settings/purposes/" + purpose, ACME_ADMIN,
        "{\"essential\":false}");
    assertThat(marked.status()).as(marked.body()).isEqualTo(200);
    assertThat(http().put("/v1/settings/purposes/" + purpose, ACME_CLIENT,
        "{\"essential\":false}").status()).isEqualTo(403);

    String email = unique("news") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, null, purpose, true, false);
    String template = emailTemplate(ACME_CLIENT);
    MimeMessage mail = deliverOne(recipient, purpose, template, email);
    String header = mail.getHeader("List-Unsubscribe", null);
    assertThat(header).startsWith("<" + RelayTestInfrastructure.UNSUBSCRIBE_BASE_URL
        + "/v1/unsubscribe/").endsWith(">").doesNotContain(email);
    assertThat(mail.getHeader("List-Unsubscribe-Post", null))
        .isEqualTo("List-Unsubscribe=One-Click");
    String path = header.substring(1 + RelayTestInfrastructure.UNSUBSCRIBE_BASE_URL.length(),
        header.length() - 1);

    // A link scanner's GET shows a form and changes nothing.
    Http.Reply page = http().get(path, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    assertThat(page.body()).contains("<form method=\"post\"");
    String consentPath = "/v1/recipients/" + recipient + "/consents/" + purpose;
    assertThat(http().get(consentPath, ACME_CLIENT).json().path("history")).hasSize(1);

    // The mailbox provider's one-click POST.
    Http.Reply done = http().send("POST", path, null, "application/x-www-form-urlencoded",
        "List-Unsubscribe=One-Click");
    assertThat(done.status()).as(done.body()).isEqualTo(200);
    JsonNode versions = http().get(consentPath, ACME_CLIENT).json().path("history");
    assertThat(versions).hasSize(2);
    assertThat(versions.get(0).path("channels").path("EMAIL").asBoolean()).isFalse();
    assertThat(versions.get(0).path("source").asString()).isEqualTo("one-click-unsubscribe");
    // Again: no third version.
    assertThat(http().send("POST", path, null, "application/x-www-form-urlencoded",
        "List-Unsubscribe=One-Click").status()).isEqualTo(200);
    assertThat(http().get(consentPath, ACME_CLIENT).json().path("history")).hasSize(2);

    // The next delivery of that purpose by email is refused on consent.
    String next = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, purpose, template, "[\"EMAIL\"]")).json().path("deliveryId")
        .asString();
    assertThat(awaitStatus(ACME_CLIENT, next, "REJECTED").path("reason").asString())
        .contains("consent");
  }

  @Test
  void aForgedOrAlteredLinkIsRefusedAndEssentialPurposesCarryNoLink() throws Exception {
    String email = unique("inv") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, null, "billing", true, false);
    MimeMessage mail = deliverOne(recipient, "billing", emailTemplate(ACME_CLIENT), email);
    assertThat(mail.getHeader("List-Unsubscribe")).isNull();

    // Not a token at all: 400. Shaped like one but not signed by Relay: no such link, 404.
    Map<String, Integer> expected = Map.of("x", 400, "a.b.c", 404,
        "YWNtZQBhbGljZQBiaWxsaW5n.local-dev-1.AAAA", 404);
    expected.forEach((token, status) -> {
      Http.Reply r = http().send("POST", "/v1/unsubscribe/" + token, null,
          "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click");
      assertThat(r.status()).as(token).isEqualTo(status);
      assertThat(r.contentType()).startsWith("application/problem+json");
    });
  }
}
