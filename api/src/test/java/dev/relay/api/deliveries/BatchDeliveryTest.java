package dev.relay.api.deliveries;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.contracts.DeliveryIds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** POST /v1/deliveries/batch: one result per item, one transaction for the writes. */
class BatchDeliveryTest extends ApiTest {
  String recipient;
  String email;
  String template;

  @BeforeEach
  void fixtures() {
    email = unique("inv") + "@example.org";
    recipient = recipient(ACME_CLIENT, email, null, "billing", true, false);
    template = emailTemplate(ACME_CLIENT);
  }

  String item(String key, String recipientId, String templateId, String extra) {
    return "{\"idempotencyKey\":\"" + key + "\",\"recipientId\":\"" + recipientId
        + "\",\"purpose\":\"billing\",\"templateId\":\"" + templateId
        + "\",\"variables\":{\"name\":\"Ada\"}" + (extra == null ? "" : "," + extra) + "}";
  }

  Http.Reply batch(String key, List<String> items) {
    return http().post("/v1/deliveries/batch", key, "{\"items\":[" + String.join(",", items) + "]}");
  }

  int rowsUnder(List<String> keys) {
    return count("select count(*) from deliveries where tenant_id = 'acme' and idempotency_key = any(?)",
        (Object) keys.toArray(String[]::new));
  }

  @Test
  void eachItemGetsItsOwnOutcomeAndTheAcceptedOnesAreDelivered() {
    String earlier = unique("inv");
    String conflicting = unique("inv");
    String body = deliveryBody(recipient, "billing", template, null);
    assertThat(postDelivery(ACME_CLIENT, earlier, body).status()).isEqualTo(202);
    assertThat(postDelivery(ACME_CLIENT, conflicting, body).status()).isEqualTo(202);
    String fresh = unique("inv");
    String fresh2 = unique("inv");
    String dupDiff = unique("inv");

    Http.Reply r = batch(ACME_CLIENT, List.of(
        item(fresh, recipient, template, null),                         // 0 accepted
        "{\"idempotencyKey\":\"" + unique("inv") + "\",\"purpose\":\"billing\"}", // 1 400
        item(unique("inv"), recipient, "no-such-template", null),       // 2 422 unknown
        "{\"idempotencyKey\":\"" + earlier + "\",\"recipientId\":\"" + recipient
            + "\",\"purpose\":\"billing\",\"templateId\":\"" + template
            + "\",\"variables\":{\"name\":\"Ada\"}}",                  // 3 replayed
        item(conflicting, recipient, template, "\"channels\":[\"SMS\"]"), // 4 422 key reused
        item(fresh, recipient, template, null),                         // 5 replayed (same batch)
        item(dupDiff, recipient, template, null),                       // 6 accepted
        item(dupDiff, recipient, template, "\"channels\":[\"SMS\"]"),   // 7 key reused in batch
        "42",                                                           // 8 not an object
        item(unique("inv"), recipient, template, "\"channels\":7"),     // 9 wrong type
        item("bad key!", recipient, template, null),                    // 10 bad key
        item(fresh2, recipient, template, "\"deadline\":\"2001-01-01T00:00:00Z\""))); // 11 past

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode json = r.json();
    List<JsonNode> results = json.path("results").valueStream().toList();
    assertThat(results).hasSize(12);
    for (int i = 0; i < results.size(); i++) {
      assertThat(results.get(i).path("index").asInt()).isEqualTo(i);
    }
    assertThat(results.stream().map(x -> x.path("outcome").asString())).containsExactly(
        "accepted", "rejected", "rejected", "replayed", "rejected", "replayed", "accepted",
        "rejected", "rejected", "rejected", "rejected", "rejected");
    assertThat(json.path("accepted").asInt()).isEqualTo(2);
    assertThat(json.path("replayed").asInt()).isEqualTo(2);
    assertThat(json.path("rejected").asInt()).isEqualTo(8);

    String freshId = DeliveryIds.deliveryId("acme", fresh);
    assertThat(results.get(0).path("deliveryId").asString()).isEqualTo(freshId);
    assertThat(results.get(0).path("idempotencyKey").asString()).isEqualTo(fresh);
    assertThat(results.get(0).has("problem")).isFalse();
    assertThat(results.get(3).path("deliveryId").asString())
        .isEqualTo(DeliveryIds.deliveryId("acme", earlier));
    assertThat(results.get(5).path("deliveryId").asString()).isEqualTo(freshId);
    assertProblem(results.get(1), 400, "validation");
    assertThat(errorFields(results.get(1))).containsExactlyInAnyOrder("recipientId", "templateId");
    assertProblem(results.get(2), 422, "unknown-reference");
    assertThat(errorFields(results.get(2))).containsExactly("templateId");
    assertProblem(results.get(4), 422, "idempotency-key-reused");
    assertProblem(results.get(7), 422, "idempotency-key-reused");
    assertThat(results.get(7).path("problem").path("detail").asString()).contains("items[6]");
    assertProblem(results.get(8), 400, "malformed-request");
    assertProblem(results.get(9), 400, "validation");
    assertThat(errorFields(results.get(9))).containsExactly("channels");
    assertProblem(results.get(10), 400, "validation");
    assertThat(errorFields(results.get(10))).containsExactly("idempotencyKey");
    assertProblem(results.get(11), 422, "unprocessable-value"); // well-formed, but past
    assertThat(errorFields(results.get(11))).containsExactly("deadline");
    assertThat(results.get(1).has("deliveryId")).isFalse();

    // Only the accepted items were written; their workflows start without anyone waiting.
    assertThat(rowsUnder(List.of(fresh, dupDiff, fresh2))).isEqualTo(2);
    awaitStatus(ACME_CLIENT, freshId, "DELIVERED");
    awaitStatus(ACME_CLIENT, DeliveryIds.deliveryId("acme", dupDiff), "DELIVERED");

    // The same batch again is all replays or the same rejections, and sends nothing more.
    Http.Reply again = batch(ACME_CLIENT, List.of(item(fresh, recipient, template, null),
        item(dupDiff, recipient, template, null)));
    assertThat(again.json().path("replayed").asInt()).isEqualTo(2);
    // One mail each: earlier and conflicting (single POSTs), fresh and dupDiff (the batch).
    await(() -> mailTo(email).size(), n -> n >= 4, "four mails");
    assertThat(mailTo(email)).hasSize(4);
  }

  @Test
  void aBatchOfManyIsWrittenAndStarted() {
    List<String> items = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String key = unique("run") + "-" + i;
      keys.add(key);
      items.add(item(key, recipient, template, null));
    }
    Http.Reply r = batch(ACME_CLIENT, items);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().path("accepted").asInt()).isEqualTo(50);
    assertThat(rowsUnder(keys)).isEqualTo(50);
    await(() -> count("select count(*) from deliveries where tenant_id = 'acme' "
            + "and idempotency_key = any(?) and workflow_started", (Object) keys.toArray(String[]::new)),
        n -> n == 50, "all 50 workflows started");
  }

  @Test
  void moreThanAThousandItemsOrNoneAre400NamingTheLimit() {
    List<String> items = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      String key = unique("big") + "-" + i;
      keys.add(key);
      items.add(item(key, recipient, template, null));
    }
    Http.Reply tooMany = batch(ACME_CLIENT, items);
    assertThat(tooMany.status()).as(tooMany.body()).isEqualTo(400);
    assertThat(tooMany.contentType()).startsWith("application/problem+json");
    assertThat(tooMany.errorFields()).containsExactly("items");
    assertThat(tooMany.json().path("errors").get(0).path("message").asString()).contains("1000");
    assertThat(rowsUnder(keys)).isZero();

    Http.Reply none = batch(ACME_CLIENT, List.of());
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.errorFields()).containsExactly("items");
    Http.Reply missing = http().post("/v1/deliveries/batch", ACME_CLIENT, "{}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.errorFields()).containsExactly("items");
  }

  @Test
  void aDatabaseFailureWritesNothingAnd503() {
    // A trigger fails the insert of one item, after others of the batch were inserted.
    jdbi.useHandle(h -> h.execute("""
        create or replace function fail_batch_test() returns trigger language plpgsql as $$
        begin
          if new.idempotency_key like 'explode-%' then
            raise exception 'simulated failure' using errcode = '08006';
          end if;
          return new;
        end $$;
        create trigger fail_batch_test before insert on deliveries
          for each row execute function fail_batch_test();
        """));
    List<String> keys = List.of("a-" + unique("ok"), "b-" + unique("ok"), "explode-" + unique("x"));
    try {
      Http.Reply r = batch(ACME_CLIENT, keys.stream().map(k -> item(k, recipient, template, null)).toList());

      assertThat(r.status()).as(r.body()).isEqualTo(503);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(r.json().path("type").asString()).endsWith("/temporarily-unavailable");
      assertThat(r.json().path("detail").asString()).contains("nothing");
      assertThat(r.header("Retry-After")).isPresent();
      assertThat(rowsUnder(keys)).isZero();
    } finally {
      jdbi.useHandle(h -> h.execute("""
          drop trigger fail_batch_test on deliveries;
          drop function fail_batch_test();
          """));
    }
    // After the failure the same request goes through.
    Http.Reply retried = batch(ACME_CLIENT, keys.stream().map(k -> item(k, recipient, template, null)).toList());
    assertThat(retried.json().path("accepted").asInt()).isEqualTo(3);
  }

  @Test
  void onlyClientsAndAdminsMayPostABatch() {
    String one = item(unique("inv"), recipient, template, null);
    assertThat(batch(ACME_SUPPORT, List.of(one)).status()).isEqualTo(403);
    assertThat(batch(null, List.of(one)).status()).isEqualTo(401);
    assertThat(batch(ACME_ADMIN, List.of(one)).status()).isEqualTo(200);
  }

  static void assertProblem(JsonNode result, int status, String typeSuffix) {
    JsonNode problem = result.path("problem");
    assertThat(problem.path("type").asString()).as(result.toString()).endsWith("/" + typeSuffix);
    assertThat(problem.path("status").asInt()).as(result.toString()).isEqualTo(status);
    assertThat(problem.path("title").asString()).isNotBlank();
    assertThat(problem.path("detail").asString()).isNotBlank();
    assertThat(result.has("deliveryId")).as(result.toString()).isFalse();
  }

  static List<String> errorFields(JsonNode result) {
    return result.path("problem").path("errors").valueStream()
        .map(e -> e.path("field").asString()).toList();
  }
}
