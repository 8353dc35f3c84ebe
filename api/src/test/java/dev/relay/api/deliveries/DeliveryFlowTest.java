package dev.relay.api.deliveries;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.contracts.DeliveryIds;
import dev.relay.store.delivery.DeliveryRepository;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A delivery from POST to the inbox and the audit trail, and idempotency around it. */
class DeliveryFlowTest extends ApiTest {
  @Autowired
  DeliveryRepository deliveries;
  @Autowired
  io.temporal.client.WorkflowClient client;

  @Test
  void postedDeliveryReachesTheInboxOnceWithAnIntactAuditTrail() throws Exception {
    String email = unique("ada") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, null, "medical.results", true, false);
    String template = emailTemplate(ACME_CLIENT);
    Http.Reply upload = uploadDocument("results.pdf", "%PDF-1.4 lab results");
    String documentId = upload.json().path("documentId").asString();
    String body = "{\"recipientId\":\"" + recipient + "\",\"purpose\":\"medical.results\","
        + "\"templateId\":\"" + template + "\",\"variables\":{\"name\":\"Ada\"},"
        + "\"channels\":[\"EMAIL\"],\"documentIds\":[\"" + documentId + "\"],"
        + "\"deadline\":\"2099-01-01T00:00:00Z\"}";

    Http.Reply accepted = postDelivery(ACME_CLIENT, unique("key"), body);

    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    String id = accepted.json().path("deliveryId").asString();
    assertThat(DeliveryIds.looksLikeDeliveryId(id)).isTrue();
    assertThat(accepted.json().path("status").asString()).isEqualTo("ACCEPTED");
    assertThat(accepted.header("Location")).hasValue("/v1/deliveries/" + id);
    assertThat(accepted.header("Idempotent-Replayed")).hasValue("false");

    JsonNode delivered = awaitStatus(ACME_CLIENT, id, "DELIVERED");
    assertThat(delivered.path("channel").asString()).isEqualTo("EMAIL");
    assertThat(delivered.path("attempts").asInt()).isEqualTo(1);
    assertThat(delivered.path("recipientId").asString()).isEqualTo(recipient);
    assertThat(java.time.Instant.parse(delivered.path("createdAt").asString()))
        .isBefore(java.time.Instant.parse(delivered.path("updatedAt").asString()).plusSeconds(1));
    List<String> steps = delivered.path("timeline").valueStream()
        .map(e -> e.path("step").asString()).toList();
    assertThat(steps).containsSubsequence("accept", "verify", "consent", "prepare", "send");

    List<MimeMessage> mail = mailTo(email);
    assertThat(mail).hasSize(1);
    assertThat(mail.get(0).getSubject()).isEqualTo("Results for Ada");
    assertThat(((MimeMultipart) mail.get(0).getContent()).getCount()).isGreaterThanOrEqualTo(2);

    Http.Reply audit = http().get("/v1/deliveries/" + id + "/audit", ACME_SUPPORT);
    assertThat(audit.status()).as(audit.body()).isEqualTo(200);
    assertThat(audit.json().path("chainIntact").asBoolean()).isTrue();
    List<JsonNode> events = audit.json().path("events").valueStream().toList();
    assertThat(events).isNotEmpty();
    List<Long> sequences = events.stream().map(e -> e.path("sequence").asLong()).toList();
    assertThat(sequences).isSorted().doesNotHaveDuplicates();
    assertThat(events.get(events.size() - 1).path("status").asString()).isEqualTo("DELIVERED");
    assertThat(events.get(0).path("hash").asString()).hasSize(64);
    assertThat(events.get(0).path("prevHash").asString()).hasSize(64);
    assertThat(events.stream().filter(e -> "consent".equals(e.path("step").asString()))
        .map(e -> e.path("consentVersion").asInt())).contains(1);
  }

  @Test
  void sameKeyAndBodyReturnTheSameDeliveryAndSendOnce() {
    String email = unique("bob") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    String key = unique("key");
    String body = deliveryBody(recipient, "billing", template, "[\"EMAIL\"]");

    Http.Reply first = postDelivery(ACME_CLIENT, key, body);
    String id = first.json().path("deliveryId").asString();
    awaitStatus(ACME_CLIENT, id, "DELIVERED");
    // Same meaning, different key order and whitespace: still the same request.
    String reordered = "{ \"templateId\":\"" + template + "\", \"channels\":[\"EMAIL\"],"
        + " \"variables\":{\"name\":\"Ada\"}, \"purpose\":\"billing\", \"recipientId\":\"" + recipient + "\" }";
    Http.Reply second = postDelivery(ACME_CLIENT, key, reordered);

    assertThat(second.status()).isEqualTo(202);
    assertThat(second.json().path("deliveryId").asString()).isEqualTo(id);
    assertThat(second.json().path("status").asString()).isEqualTo("DELIVERED");
    assertThat(second.header("Idempotent-Replayed")).hasValue("true");
    assertThat(mailTo(email)).hasSize(1);
    assertThat(ledger.countSent(id)).isEqualTo(1);
  }

  @Test
  void concurrentDuplicatesMakeOneDeliveryOneWorkflowOneMail() throws Exception {
    String email = unique("carol") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    String key = unique("key");
    String body = deliveryBody(recipient, "billing", template, null);
    int n = 32;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Callable<Http.Reply>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(() -> {
        go.await();
        return postDelivery(ACME_CLIENT, key, body);
      });
    }
    List<Future<Http.Reply>> futures = new ArrayList<>();
    try {
      calls.forEach(c -> futures.add(pool.submit(c)));
      go.countDown();
      Set<String> ids = new HashSet<>();
      int created = 0;
      for (Future<Http.Reply> f : futures) {
        Http.Reply r = f.get();
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        ids.add(r.json().path("deliveryId").asString());
        if (r.header("Idempotent-Replayed").orElse("").equals("false")) {
          created++;
        }
      }
      assertThat(ids).hasSize(1);
      assertThat(created).isEqualTo(1);
      String id = ids.iterator().next();
      awaitStatus(ACME_CLIENT, id, "DELIVERED");
      assertThat(mailTo(email)).hasSize(1);
      assertThat(ledger.countSent(id)).isEqualTo(1);
      assertThat(count("select count(*) from deliveries where tenant_id = 'acme' and idempotency_key = ?", key))
          .isEqualTo(1);
      // One run: the history of the workflow starts once and the audit trail has one "accept".
      Http.Reply audit = http().get("/v1/deliveries/" + id + "/audit", ACME_CLIENT);
      assertThat(audit.json().path("events").valueStream()
          .filter(e -> "accept".equals(e.path("step").asString())).count()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void sameKeyWithADifferentBodyIs422() {
    String recipient = recipient(ACME_CLIENT, unique("dan") + "@example.org", null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    String key = unique("key");
    Http.Reply first = postDelivery(ACME_CLIENT, key, deliveryBody(recipient, "billing", template, null));
    assertThat(first.status()).isEqualTo(202);

    Http.Reply other = postDelivery(ACME_CLIENT, key,
        deliveryBody(recipient, "billing", template, "[\"SMS\"]"));

    assertThat(other.status()).isEqualTo(422);
    assertThat(other.contentType()).startsWith("application/problem+json");
    assertThat(other.json().path("type").asString()).endsWith("/idempotency-key-reused");
    assertThat(other.json().path("detail").asString()).contains("Idempotency-Key");
  }

  @Test
  void theSameKeyInAnotherTenantIsAnotherDelivery() {
    String key = unique("shared-key");
    String acmeRecipient = recipient(ACME_CLIENT, unique("e") + "@example.org", null, "billing", true, false);
    String acmeTemplate = emailTemplate(ACME_CLIENT);
    String globexRecipient = recipient(GLOBEX_CLIENT, unique("f") + "@example.org", null, "billing", true, false);
    String globexTemplate = emailTemplate(GLOBEX_CLIENT);

    String a = postDelivery(ACME_CLIENT, key, deliveryBody(acmeRecipient, "billing", acmeTemplate, null))
        .json().path("deliveryId").asString();
    String g = postDelivery(GLOBEX_CLIENT, key, deliveryBody(globexRecipient, "billing", globexTemplate, null))
        .json().path("deliveryId").asString();

    assertThat(a).isNotEqualTo(g);
    awaitStatus(ACME_CLIENT, a, "DELIVERED");
    awaitStatus(GLOBEX_CLIENT, g, "DELIVERED");
  }

  @Test
  void anAcceptedDeliveryWhoseStartWasLostIsStartedByTheStarter() {
    // As if the API died between writing the row and starting the workflow.
    String email = unique("gus") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    String key = unique("lost");
    String id = DeliveryIds.deliveryId("acme", key);
    String json = "{\"purpose\":\"billing\",\"recipientId\":\"" + recipient + "\",\"templateId\":\""
        + template + "\",\"variables\":{\"name\":\"Gus\"}}";
    deliveries.accept(id, "acme", key, DeliveryIds.sha256Hex(json), json, recipient, "billing",
        template, "ACCEPTED");

    awaitStatus(ACME_CLIENT, id, "DELIVERED");
    assertThat(mailTo(email)).hasSize(1);
    assertThat(deliveries.find("acme", id).orElseThrow().workflowStarted()).isTrue();
    // The sweeper starts it exactly as a kick would: search attributes in the start event.
    assertThat(dev.relay.api.support.StartEvents.searchAttributesAtStart(client, id))
        .containsEntry("Tenant", "acme").containsEntry("RecipientId", recipient)
        .containsEntry("Purpose", "billing").containsEntry("DeliveryStatus", "ACCEPTED")
        .containsEntry("Channel", "EMAIL");
  }

  @Test
  void listsTheTenantsDeliveriesByStatusAndRecipientInPages() {
    String recipient = recipient(ACME_CLIENT, unique("hal") + "@example.org", null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(postDelivery(ACME_CLIENT, unique("key"), deliveryBody(recipient, "billing", template, null))
          .json().path("deliveryId").asString());
    }
    ids.forEach(id -> awaitStatus(ACME_CLIENT, id, "DELIVERED"));

    Http.Reply page1 = http().get("/v1/deliveries?recipientId=" + recipient + "&limit=2", ACME_CLIENT);
    assertThat(page1.status()).as(page1.body()).isEqualTo(200);
    assertThat(page1.json().path("items").size()).isEqualTo(2);
    String cursor = page1.json().path("nextCursor").asString();
    assertThat(cursor).isNotBlank();
    Http.Reply page2 = http().get("/v1/deliveries?recipientId=" + recipient + "&limit=2&cursor=" + cursor,
        ACME_CLIENT);
    assertThat(page2.json().path("items").size()).isEqualTo(1);
    assertThat(page2.json().path("nextCursor").isNull()).isTrue();
    Set<String> listed = new HashSet<>();
    page1.json().path("items").forEach(d -> listed.add(d.path("deliveryId").asString()));
    page2.json().path("items").forEach(d -> listed.add(d.path("deliveryId").asString()));
    assertThat(listed).containsExactlyInAnyOrderElementsOf(ids);

    Http.Reply delivered = http().get("/v1/deliveries?status=DELIVERED&recipientId=" + recipient, ACME_SUPPORT);
    assertThat(delivered.json().path("items").size()).isEqualTo(3);
    Http.Reply none = http().get("/v1/deliveries?status=REJECTED&recipientId=" + recipient, ACME_CLIENT);
    assertThat(none.json().path("items").size()).isZero();
    Http.Reply otherTenant = http().get("/v1/deliveries?recipientId=" + recipient, GLOBEX_CLIENT);
    assertThat(otherTenant.json().path("items").size()).isZero();

    Http.Reply bad = http().get("/v1/deliveries?status=LOST&limit=0&cursor=%21%21", ACME_CLIENT);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorFields()).containsExactlyInAnyOrder("status", "limit", "cursor");
  }

  private Http.Reply uploadDocument(String filename, String content) {
    String boundary = "----relay" + System.nanoTime();
    String multipart = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n"
        + "Content-Type: application/pdf\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
    Http.Reply reply = http().send("POST", "/v1/documents", ACME_CLIENT,
        "multipart/form-data; boundary=" + boundary, multipart.getBytes(StandardCharsets.UTF_8));
    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    return reply;
  }
}
