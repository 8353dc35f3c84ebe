package dev.relay.api.deliveries;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.IncrementalVerification;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * GET /v1/deliveries/{id}/audit checks only that delivery's rows (each against its HMAC and
 * stored link) and names the signed checkpoint that covers them.
 */
class AuditTrailTest extends ApiTest {
  @Autowired
  AuditRepository audit;

  String deliver(String name) {
    String recipient = recipient(ACME_CLIENT, unique(name) + "@example.org", null, "billing",
        true, false);
    String id = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "billing", emailTemplate(ACME_CLIENT), "[\"EMAIL\"]"))
        .json().path("deliveryId").asString();
    awaitStatus(ACME_CLIENT, id, "DELIVERED");
    return id;
  }

  JsonNode trail(String id) {
    Http.Reply reply = http().get("/v1/deliveries/" + id + "/audit", ACME_SUPPORT);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  @Test
  void theTrailNamesTheSignedCheckpointThatCoversIt() {
    String id = deliver("cp");
    JsonNode before = trail(id);
    assertThat(before.path("chainIntact").asBoolean()).isTrue();
    assertThat(before.path("checkpoint").isNull()).as("no verifier run yet").isTrue();
    assertThat(before.path("events").valueStream().map(e -> e.path("keyId").asString()))
        .allMatch(k -> !k.isEmpty());

    // What the scheduled verifier does.
    IncrementalVerification v = audit.verifyFrom("acme", 100_000);
    assertThat(v.intact()).isTrue();
    audit.checkpoint(v.newHead(), Instant.now());

    JsonNode after = trail(id);
    long newest = after.path("events").valueStream().mapToLong(e -> e.path("chainSeq").asLong())
        .max().orElseThrow();
    assertThat(after.path("checkpoint").path("chainSeq").asLong()).isGreaterThanOrEqualTo(newest);
    assertThat(after.path("checkpoint").path("keyId").asString()).isNotEmpty();
  }

  @Test
  void anEditedRowShowsInItsDeliverysTrailOnly() {
    String edited = deliver("edited");
    String other = deliver("other");
    List<JsonNode> events = trail(edited).path("events").valueStream().toList();
    long chainSeq = events.get(1).path("chainSeq").asLong();
    String outcome = events.get(1).path("outcome").asString();
    // Only a superuser who disables the triggers can do this; the HMAC still shows it.
    setOutcome(chainSeq, "forged");
    try {
      JsonNode broken = trail(edited);
      assertThat(broken.path("chainIntact").asBoolean()).isFalse();
      assertThat(broken.path("firstBrokenChainSeq").asLong()).isEqualTo(chainSeq);
      // The other delivery's rows are intact; the whole chain is the scheduled verifier's.
      assertThat(trail(other).path("chainIntact").asBoolean()).isTrue();
      assertThat(audit.verifyChain("acme").intact()).isFalse();
    } finally {
      setOutcome(chainSeq, outcome); // the shared test database's chain, as it was
    }
    assertThat(trail(edited).path("chainIntact").asBoolean()).isTrue();
  }

  void setOutcome(long chainSeq, String outcome) {
    jdbi.useHandle(h -> {
      h.execute("alter table audit_events disable trigger user");
      h.execute("update audit_events set outcome = ? where tenant_id = 'acme' and chain_seq = ?",
          outcome, chainSeq);
      h.execute("alter table audit_events enable trigger user");
    });
  }
}
