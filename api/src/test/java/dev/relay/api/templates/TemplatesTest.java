package dev.relay.api.templates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import org.junit.jupiter.api.Test;

class TemplatesTest extends ApiTest {

  @Test
  void aTemplateRoundTripsAndItsVersionGoesUp() {
    String id = unique("tpl");
    Http.Reply v1 = http().put("/v1/templates/" + id, ACME_CLIENT,
        "{\"smsBody\":\"Your code is {{code}}\"}");
    assertThat(v1.status()).as(v1.body()).isEqualTo(200);
    assertThat(v1.json().path("version").asInt()).isEqualTo(1);
    Http.Reply v2 = http().put("/v1/templates/" + id, ACME_CLIENT,
        "{\"subject\":\"Hi {{name}}\",\"textBody\":\"Hello {{name}}\",\"smsBody\":\"Code {{code}}\"}");
    assertThat(v2.json().path("version").asInt()).isEqualTo(2);

    Http.Reply got = http().get("/v1/templates/" + id, ACME_CLIENT);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json().path("subject").asString()).isEqualTo("Hi {{name}}");
    assertThat(got.json().path("smsBody").asString()).isEqualTo("Code {{code}}");
    assertThat(got.json().path("htmlBody").isNull()).isTrue();
    assertThat(http().get("/v1/templates/no-such-template", ACME_CLIENT).status()).isEqualTo(404);
  }

  @Test
  void textWithANulCharacterIs400NamingTheFieldNotA500() {
    // PostgreSQL text cannot hold U+0000: refused at the door, for every text field.
    Http.Reply r = http().put("/v1/templates/" + unique("tpl"), ACME_CLIENT,
        "{\"subject\":\"Hi\",\"textBody\":\"a\\u0000b\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.errorFields()).containsExactly("textBody");
    Http.Reply name = http().put("/v1/recipients/" + unique("r"), ACME_CLIENT,
        "{\"displayName\":\"\\u0000\",\"contacts\":[]}");
    assertThat(name.status()).as(name.body()).isEqualTo(400);
    assertThat(name.errorFields()).containsExactly("displayName");
  }

  @Test
  void aTemplateWithoutABodyIs400() {
    Http.Reply r = http().put("/v1/templates/" + unique("tpl"), ACME_CLIENT, "{\"subject\":\"Hi\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorFields()).containsExactly("body");
  }

  @Test
  void emailBodiesNeedASubjectAndHtmlNeedsText() {
    Http.Reply r = http().put("/v1/templates/" + unique("tpl"), ACME_CLIENT, "{\"htmlBody\":\"<p>x</p>\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorFields()).containsExactlyInAnyOrder("subject", "textBody");
  }

  @Test
  void aTemplateThatDoesNotCompileIs400NamingFieldAndLine() {
    Http.Reply r = http().put("/v1/templates/" + unique("tpl"), ACME_CLIENT,
        "{\"subject\":\"Hi\",\"textBody\":\"Dear {{name}},\\n{{#items}}\\n- {{.}}\\n\",\"smsBody\":\"{{/x}}\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.errorFields()).containsExactlyInAnyOrder("textBody", "smsBody");
    String textError = r.json().path("errors").valueStream()
        .filter(e -> e.path("field").asString().equals("textBody"))
        .findFirst().orElseThrow().path("message").asString();
    assertThat(textError).startsWith("line ").contains("items");
  }

  @Test
  void partialsParentsAndBlocksAre400NamingTheTag() {
    Http.Reply r = http().put("/v1/templates/" + unique("tpl"), ACME_CLIENT,
        "{\"subject\":\"Hi {{<layout}}{{/layout}}\",\"textBody\":\"Hello {{>footer}}\","
            + "\"smsBody\":\"{{$title}}x{{/title}}\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.errorFields()).containsExactlyInAnyOrder("subject", "textBody", "smsBody");
    assertThat(r.body()).contains("{{>footer}} is not supported");
  }

  @Test
  void aTemplateThatRendersTooLongEndsTheDeliveryRejectedWithinSecondsAndSaysWhy() {
    String recipient = recipient(ACME_CLIENT, null, "+15550004242", "billing", false, true);
    String template = unique("tpl");
    assertThat(http().put("/v1/templates/" + template, ACME_CLIENT,
        "{\"smsBody\":\"{{#rows}}{{text}}{{/rows}}\"}").status()).isEqualTo(200);
    String rows = String.join(",", java.util.Collections.nCopies(20,
        "{\"text\":\"" + "x".repeat(100) + "\"}"));
    Http.Reply accepted = postDelivery(ACME_CLIENT, unique("key"), "{\"recipientId\":\""
        + recipient + "\",\"purpose\":\"billing\",\"templateId\":\"" + template
        + "\",\"channels\":[\"SMS\"],\"variables\":{\"rows\":[" + rows + "]}}");
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    String id = accepted.json().path("deliveryId").asString();

    long start = System.nanoTime();
    var rejected = awaitStatus(ACME_CLIENT, id, "REJECTED");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(
        java.time.Duration.ofSeconds(30));
    assertThat(rejected.toString()).contains("longer than 1600 characters");
  }
}
