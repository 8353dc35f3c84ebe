package dev.relay.store.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.relay.store.RelayDatabase;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Status webhook settings and the outbox, on a real PostgreSQL. */
class WebhookOutboxRepositoryTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final Duration LEASE = Duration.ofSeconds(30);

  private HikariDataSource dataSource;
  private Jdbi jdbi;
  private StatusWebhookRepository webhooks;
  private WebhookOutboxRepository outbox;
  private Instant now;

  @BeforeEach
  void setUp() {
    dataSource = TestDatabase.fresh();
    jdbi = RelayDatabase.jdbi(dataSource);
    webhooks = new StatusWebhookRepository(jdbi);
    outbox = new WebhookOutboxRepository(jdbi);
    TenantRepository tenants = new TenantRepository(jdbi);
    tenants.upsertTenant(new Tenant("acme", "Acme", null));
    tenants.upsertTenant(new Tenant("globex", "Globex", null));
    // Ahead of the database clock, so rows queued "now" are due: by a margin that holds on a
    // loaded machine (sealing the first secret also sets up the crypto, which can take seconds).
    // Every instant the tests use is relative to this one.
    now = Instant.now().plusSeconds(30).truncatedTo(ChronoUnit.MICROS);
  }

  @AfterEach
  void tearDown() {
    dataSource.close();
  }

  @Test
  void aWebhookIsSetReadAndRemoved() {
    assertThat(webhooks.find("acme")).isEmpty();
    assertThat(webhooks.configure("acme", "https://hooks.acme.test/relay", SECRET)).isTrue();
    assertThat(webhooks.configure("nobody", "https://x.test", SECRET)).isFalse();

    StatusWebhook found = webhooks.find("acme").orElseThrow();
    assertThat(found.url()).isEqualTo("https://hooks.acme.test/relay");
    assertThat(found.secret()).isEqualTo(SECRET);
    assertThat(found.updatedAt()).isNotNull();
    // The tenant row keeps reporting the URL where it always did.
    assertThat(new TenantRepository(jdbi).findTenant("acme").orElseThrow().statusWebhookUrl())
        .isEqualTo("https://hooks.acme.test/relay");

    assertThat(webhooks.remove("acme")).isTrue();
    assertThat(webhooks.remove("acme")).isFalse();
    assertThat(webhooks.find("acme")).isEmpty();
  }

  @Test
  void queuingIsIdempotentOnTheEventId() {
    webhooks.configure("acme", "https://hooks.acme.test/relay", SECRET);
    OutboxEvent event = event("acme", "dlv-1:7", "delivery.delivered");

    assertThat(outbox.enqueue(event)).isTrue();
    assertThat(outbox.enqueue(event)).isFalse(); // the activity's retry
    assertThat(outbox.enqueue(new OutboxEvent("dlv-1:7", "acme", "dlv-1", "delivery.delayed",
        "{\"other\":true}"))).isFalse(); // the first write wins

    List<OutboxRecord> rows = outbox.forDelivery("dlv-1");
    assertThat(rows).singleElement().satisfies(row -> {
      assertThat(row.state()).isEqualTo(OutboxState.PENDING);
      assertThat(row.type()).isEqualTo("delivery.delivered");
      assertThat(row.attempts()).isZero();
      assertThat(row.payloadJson()).contains("\"type\": \"delivery.delivered\"");
    });
  }

  @Test
  void nothingIsQueuedForATenantWithoutAWebhook() {
    assertThat(outbox.enqueue(event("globex", "dlv-2:3", "delivery.delivered"))).isFalse();
    // A URL set the old way, without a secret, cannot be signed for: still nothing.
    new TenantRepository(jdbi).upsertTenant(new Tenant("globex", "Globex", "https://g.test/hook"));
    assertThat(outbox.enqueue(event("globex", "dlv-2:4", "delivery.delivered"))).isFalse();
    assertThat(outbox.forDelivery("dlv-2")).isEmpty();
  }

  @Test
  void aClaimCountsTheAttemptHidesTheRowForTheLeaseAndBringsTheCurrentWebhook() {
    webhooks.configure("acme", "https://hooks.acme.test/relay", SECRET);
    outbox.enqueue(event("acme", "dlv-3:1", "delivery.needs_attention"));
    outbox.enqueue(event("acme", "dlv-3:2", "delivery.delivered"));
    outbox.enqueue(event("acme", "dlv-3:3", "delivery.expired"));

    List<DueWebhook> first = outbox.claimDue(now, 2, LEASE);
    assertThat(first).hasSize(2).allSatisfy(due -> {
      assertThat(due.attempt()).isEqualTo(1);
      assertThat(due.url()).isEqualTo("https://hooks.acme.test/relay");
      assertThat(due.secret()).isEqualTo(SECRET);
      assertThat(due.body()).startsWith("{");
    });
    List<DueWebhook> second = outbox.claimDue(now, 10, LEASE);
    assertThat(second).extracting(DueWebhook::eventId).containsExactly("dlv-3:3");
    assertThat(outbox.claimDue(now, 10, LEASE)).isEmpty(); // all leased
    // The lease ran out (the dispatcher died mid-POST): the events are due again.
    assertThat(outbox.claimDue(now.plus(LEASE).plusSeconds(1), 10, LEASE))
        .hasSize(3).allSatisfy(due -> assertThat(due.attempt()).isEqualTo(2));
  }

  @Test
  void outcomesAreRecordedOnlyOnPendingRows() {
    webhooks.configure("acme", "https://hooks.acme.test/relay", SECRET);
    outbox.enqueue(event("acme", "dlv-4:1", "delivery.delivered"));
    outbox.enqueue(event("acme", "dlv-4:2", "delivery.expired"));
    outbox.claimDue(now, 10, LEASE);

    outbox.markRetry("dlv-4:1", now.plusSeconds(4), "HTTP 500");
    assertThat(outbox.find("dlv-4:1").orElseThrow())
        .satisfies(r -> {
          assertThat(r.nextAttemptAt()).isEqualTo(now.plusSeconds(4));
          assertThat(r.lastError()).isEqualTo("HTTP 500");
        });
    assertThat(outbox.claimDue(now.plusSeconds(3), 10, LEASE)).isEmpty();
    assertThat(outbox.claimDue(now.plusSeconds(4), 10, LEASE)).hasSize(1);

    outbox.markDelivered("dlv-4:1", now.plusSeconds(5));
    outbox.markFailed("dlv-4:1", "too late"); // a stale outcome does not undo the delivery
    OutboxRecord delivered = outbox.find("dlv-4:1").orElseThrow();
    assertThat(delivered.state()).isEqualTo(OutboxState.DELIVERED);
    assertThat(delivered.deliveredAt()).isEqualTo(now.plusSeconds(5));
    assertThat(delivered.lastError()).isNull();

    outbox.markFailed("dlv-4:2", "HTTP 410 after 12 attempts");
    assertThat(outbox.find("dlv-4:2").orElseThrow().state()).isEqualTo(OutboxState.FAILED);
    assertThat(outbox.claimDue(now.plus(Duration.ofDays(1)), 10, LEASE)).isEmpty();
  }

  @Test
  void aRemovedWebhookLeavesClaimedEventsWithoutAUrl() {
    webhooks.configure("acme", "https://hooks.acme.test/relay", SECRET);
    outbox.enqueue(event("acme", "dlv-5:1", "delivery.delivered"));
    webhooks.remove("acme");

    assertThat(outbox.claimDue(now, 10, LEASE)).singleElement().satisfies(due -> {
      assertThat(due.url()).isNull();
      assertThat(due.secret()).isNull();
    });
  }

  @Test
  void concurrentDispatchersNeverClaimTheSameEvent() {
    webhooks.configure("acme", "https://hooks.acme.test/relay", SECRET);
    for (int i = 1; i <= 40; i++) {
      outbox.enqueue(event("acme", "dlv-6:" + i, "delivery.delivered"));
    }
    List<CompletableFuture<List<DueWebhook>>> claims = List.of(
        CompletableFuture.supplyAsync(() -> outbox.claimDue(now, 15, LEASE)),
        CompletableFuture.supplyAsync(() -> outbox.claimDue(now, 15, LEASE)),
        CompletableFuture.supplyAsync(() -> outbox.claimDue(now, 15, LEASE)),
        CompletableFuture.supplyAsync(() -> outbox.claimDue(now, 15, LEASE)));

    List<String> claimed = claims.stream().flatMap(c -> c.join().stream())
        .map(DueWebhook::eventId).toList();
    assertThat(claimed).hasSize(40).doesNotHaveDuplicates();
  }

  private static OutboxEvent event(String tenant, String eventId, String type) {
    String delivery = eventId.substring(0, eventId.indexOf(':'));
    return new OutboxEvent(eventId, tenant, delivery, type,
        "{\"type\":\"" + type + "\",\"deliveryId\":\"" + delivery + "\"}");
  }
}
