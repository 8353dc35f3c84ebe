package dev.relay.api.deliveries;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input to POST /v1/deliveries: a problem document naming what is wrong, and nothing written. */
class DeliveryValidationTest extends ApiTest {
  String recipient;
  String template;
  int before;

  @BeforeEach
  void fixtures() {
    recipient = recipient(ACME_CLIENT, unique("v") + "@example.org", null, "billing", true, false);
    template = emailTemplate(ACME_CLIENT);
    before = deliveriesOfAcme();
  }

  int deliveriesOfAcme() {
    return count("select count(*) from deliveries where tenant_id = 'acme'");
  }

  void assertNothingWritten() {
    assertThat(deliveriesOfAcme()).isEqualTo(before);
  }

  static void assertProblem(Http.Reply reply, int status, String typeSuffix) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.contentType()).startsWith("application/problem+json");
    assertThat(reply.json().path("type").asString()).endsWith("/" + typeSuffix);
    assertThat(reply.json().path("title").asString()).isNotBlank();
    assertThat(reply.json().path("status").asInt()).isEqualTo(status);
    assertThat(reply.json().path("detail").asString()).isNotBlank();
  }

  @Test
  void missingIdempotencyKeyIs400() {
    Http.Reply r = http().post("/v1/deliveries", ACME_CLIENT, deliveryBody(recipient, "billing", template, null));
    assertProblem(r, 400, "validation");
    assertThat(r.errorFields()).containsExactly("Idempotency-Key");
    assertNothingWritten();
  }

  @Test
  void malformedIdempotencyKeysAre400() {
    for (String bad : new String[] {"has space", "x".repeat(201), "a/b", "semi;colon", "key=1"}) {
      Http.Reply r = postDelivery(ACME_CLIENT, bad, deliveryBody(recipient, "billing", template, null));
      assertProblem(r, 400, "validation");
      assertThat(r.errorFields()).containsExactly("Idempotency-Key");
    }
    assertNothingWritten();
  }

  @Test
  void invalidBodyIs400NamingEveryBadField() {
    String body = """
        {"purpose":"Not A Purpose!","templateId":"","variables":{"ok":1,"gone":null},
         "channels":["EMAIL","FAX","EMAIL"],"documentIds":["../etc/passwd"],
         "deadline":"next tuesday"}
        """;
    Http.Reply r = postDelivery(ACME_CLIENT, unique("key"), body);
    assertProblem(r, 400, "validation");
    assertThat(r.errorFields()).containsExactlyInAnyOrder("recipientId", "purpose", "templateId",
        "variables.gone", "channels[1]", "channels[2]", "documentIds[0]", "deadline");
    assertNothingWritten();
  }

  @Test
  void variablesDeeperThanRowsOrTooLongAre400NamingEach() {
    String body = """
        {"recipientId":"r1","purpose":"billing","templateId":"t1",
         "variables":{"rows":[{"sku":"A1","qty":2}],"deep":[{"inner":[1,2]}],
                      "grid":[[1,2]],"big":"%s"}}
        """.formatted("x".repeat(10_001));
    Http.Reply r = postDelivery(ACME_CLIENT, unique("key"), body);
    assertProblem(r, 400, "validation");
    assertThat(r.errorFields()).containsExactlyInAnyOrder("variables.deep[0].inner",
        "variables.grid[0]", "variables.big");
    assertNothingWritten();
  }

  @Test
  void emptyChannelListIs400AndAPastDeadline422() {
    Http.Reply empty = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "billing", template, "[]"));
    assertProblem(empty, 400, "validation");
    assertThat(empty.errorFields()).containsExactly("channels");

    String past = "{\"recipientId\":\"" + recipient + "\",\"purpose\":\"billing\",\"templateId\":\""
        + template + "\",\"deadline\":\"2001-01-01T00:00:00Z\"}";
    Http.Reply r = postDelivery(ACME_CLIENT, unique("key"), past);
    // Well-formed but unusable now: 422, like an unknown reference (the document says so).
    assertProblem(r, 422, "unprocessable-value");
    assertThat(r.errorFields()).containsExactly("deadline");
    assertNothingWritten();
  }

  @Test
  void unknownRecipientTemplateOrDocumentIs422NamingEach() {
    String body = "{\"recipientId\":\"nobody\",\"purpose\":\"billing\",\"templateId\":\"no-template\","
        + "\"documentIds\":[\"doc-missing\"]}";
    Http.Reply r = postDelivery(ACME_CLIENT, unique("key"), body);
    assertProblem(r, 422, "unknown-reference");
    assertThat(r.errorFields()).containsExactlyInAnyOrder("recipientId", "templateId", "documentIds[0]");
    assertNothingWritten();
  }

  @Test
  void anotherTenantsRecipientIsUnknown() {
    Http.Reply r = postDelivery(GLOBEX_CLIENT, unique("key"),
        deliveryBody(recipient, "billing", template, null));
    assertProblem(r, 422, "unknown-reference");
    assertThat(r.errorFields()).containsExactlyInAnyOrder("recipientId", "templateId");
  }

  @Test
  void malformedJsonIs400NamingTheProblem() {
    Http.Reply r = postDelivery(ACME_CLIENT, unique("key"), "{\"recipientId\": \"a\",, }");
    assertProblem(r, 400, "malformed-request");
    assertThat(r.json().path("detail").asString()).contains("Malformed JSON").contains("line 1");
    assertNothingWritten();
  }

  @Test
  void wrongTypesAndUnknownFieldsAre400NamingTheField() {
    Http.Reply wrongType = postDelivery(ACME_CLIENT, unique("key"),
        "{\"recipientId\":\"" + recipient + "\",\"purpose\":\"billing\",\"templateId\":\"t\",\"channels\":\"EMAIL\"}");
    assertProblem(wrongType, 400, "validation");
    assertThat(wrongType.errorFields()).containsExactly("channels");

    Http.Reply unknown = postDelivery(ACME_CLIENT, unique("key"),
        "{\"recipientId\":\"" + recipient + "\",\"purpose\":\"billing\",\"templateId\":\"t\",\"dedline\":\"x\"}");
    assertProblem(unknown, 400, "validation");
    assertThat(unknown.errorFields()).containsExactly("dedline");
    assertNothingWritten();
  }

  @Test
  void aBodyThatIsNotAnObjectIs400() {
    for (String body : new String[] {"[]", "\"text\"", "42", "null"}) {
      Http.Reply r = postDelivery(ACME_CLIENT, unique("key"), body);
      assertProblem(r, 400, "malformed-request");
    }
    assertNothingWritten();
  }

  @Test
  void missingBodyIs400() {
    Http.Reply r = http().send("POST", "/v1/deliveries", ACME_CLIENT, "application/json", (String) null,
        "Idempotency-Key", unique("key"));
    assertProblem(r, 400, "malformed-request");
  }

  @Test
  void wrongMediaTypeIs415() {
    Http.Reply r = http().send("POST", "/v1/deliveries", ACME_CLIENT, "text/plain", "hello",
        "Idempotency-Key", unique("key"));
    assertProblem(r, 415, "unsupported-media-type");
    assertNothingWritten();
  }

  @Test
  void wrongMethodIs405() {
    Http.Reply r = http().send("DELETE", "/v1/deliveries", ACME_CLIENT, null, (String) null);
    assertProblem(r, 405, "method-not-allowed");
    assertThat(r.header("Allow")).isPresent();
  }

  @Test
  void unknownRouteIs404() {
    Http.Reply r = http().get("/v1/no-such-thing", ACME_CLIENT);
    assertProblem(r, 404, "not-found");
    Http.Reply outside = http().get("/nothing/here", null);
    assertProblem(outside, 404, "not-found");
  }
}
