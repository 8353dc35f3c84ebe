package dev.relay.store.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.store.RelayDatabase;
import dev.relay.store.delivery.DeliveryRepository;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuditRepositoryTest {
  static Jdbi jdbi;
  static AuditRepository audit;

  @BeforeAll
  static void setUp() {
    jdbi = RelayDatabase.jdbi(TestDatabase.fresh());
    audit = new AuditRepository(jdbi);
    TenantRepository tenants = new TenantRepository(jdbi);
    tenants.upsertTenant(new Tenant("acme", "Acme", null));
    tenants.upsertTenant(new Tenant("globex", "Globex", null));
    tenants.upsertTenant(new Tenant("initech", "Initech", null));
  }

  static NewAuditEvent event(String tenant, String delivery, long seq, String step) {
    return new NewAuditEvent(tenant, delivery, seq, Instant.parse("2026-11-28T10:00:00.123456789Z"),
        "relay", step, "ok", "detail " + seq, null, "EMAIL", 1, null, null, null);
  }

  @Test
  void chainsEachTenantsRowsAndVerifies() {
    audit.append(event("acme", "dlv-a", 1, "verify"));
    audit.append(event("acme", "dlv-a", 2, "consent"));
    audit.append(event("globex", "dlv-g", 1, "verify"));

    List<AuditRecord> rows = audit.forDelivery("acme", "dlv-a");
    assertThat(rows).extracting(AuditRecord::step).containsExactly("verify", "consent");
    assertThat(rows.get(1).prevHash()).isEqualTo(rows.get(0).hash());
    assertThat(audit.verifyChain("acme").intact()).isTrue();
    assertThat(audit.verifyChain("globex").rowsChecked()).isEqualTo(1);
    assertThat(audit.forDelivery("globex", "dlv-a")).isEmpty();
  }

  @Test
  void appendingTheSameEventTwiceWritesOneRow() {
    AuditRecord first = audit.append(event("acme", "dlv-b", 1, "verify"));
    AuditRecord again = audit.append(event("acme", "dlv-b", 1, "verify"));
    assertThat(again.chainSeq()).isEqualTo(first.chainSeq());
    assertThat(audit.forDelivery("acme", "dlv-b")).hasSize(1);
  }

  @Test
  void aRetriedBatchWithNewEventsAppendsOnlyTheNewOnesAndKeepsEveryChainIntact() {
    jdbi.useTransaction(h -> AuditRepository.appendAll(h, List.of(
        event("acme", "dlv-m", 1, "verify"), event("initech", "dlv-n", 1, "verify"))));
    // The retry carries the stored ones again, new ones for both tenants, and one event twice.
    List<AuditRecord> stored = jdbi.inTransaction(h -> AuditRepository.appendAll(h, List.of(
        event("initech", "dlv-n", 2, "consent"), event("acme", "dlv-m", 2, "consent"),
        event("acme", "dlv-m", 1, "verify"), event("initech", "dlv-n", 1, "verify"),
        event("acme", "dlv-m", 2, "consent"))));

    assertThat(stored).extracting(AuditRecord::step)
        .containsExactly("consent", "consent", "verify", "verify", "consent");
    assertThat(stored).allSatisfy(r -> assertThat(r.recordedAt()).isNotNull());
    assertThat(stored.get(1)).isEqualTo(stored.get(4));
    assertThat(audit.forDelivery("acme", "dlv-m")).extracting(AuditRecord::sequence)
        .containsExactly(1L, 2L);
    assertThat(audit.forDelivery("initech", "dlv-n")).hasSize(2);
    assertThat(audit.verifyChain("acme").intact()).isTrue();
    assertThat(audit.verifyChain("initech").intact()).isTrue();
  }

  @Test
  void databaseRefusesUpdateDeleteAndTruncate() {
    audit.append(event("acme", "dlv-c", 1, "verify"));
    assertThatThrownBy(() -> jdbi.useHandle(h -> h.execute("update audit_events set detail = 'x'")))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbi.useHandle(h -> h.execute("delete from audit_events")))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> jdbi.useHandle(h -> h.execute("truncate audit_events")))
        .hasMessageContaining("append-only");
  }

  @Test
  void tamperingIsDetected() {
    audit.append(event("globex", "dlv-t", 1, "verify"));
    audit.append(event("globex", "dlv-t", 2, "send"));
    // A superuser can disable triggers; the chain still shows the edit.
    jdbi.useHandle(h -> {
      h.execute("alter table audit_events disable trigger audit_events_append_only");
      h.execute("update audit_events set detail = 'forged' where delivery_id = 'dlv-t' and sequence = 1");
      h.execute("alter table audit_events enable trigger audit_events_append_only");
    });
    ChainVerification v = audit.verifyChain("globex");
    assertThat(v.intact()).isFalse();
    assertThat(v.firstBrokenChainSeq()).isNotNull();
  }

  @Test
  void concurrentAppendsKeepTheChainLinear() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<AuditRecord>> futures = new java.util.ArrayList<>();
      for (int i = 1; i <= 40; i++) {
        long seq = i;
        futures.add(pool.submit(() -> audit.append(event("acme", "dlv-par", seq, "step"))));
      }
      for (Future<AuditRecord> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(audit.forDelivery("acme", "dlv-par")).hasSize(40);
    assertThat(audit.verifyChain("acme").intact()).isTrue();
  }

  @Test
  void statusEventsMoveTheDeliveryProjectionForwardOnly() {
    DeliveryRepository deliveries = new DeliveryRepository(jdbi);
    deliveries.accept("dlv-p", "acme", "key-p", "h", "{}", "r1", "billing", "t1", "ACCEPTED");
    audit.append(new NewAuditEvent("acme", "dlv-p", 3L, Instant.now(), "relay", "send", "ok",
        "sent", "DELIVERED", "SMS", 1, null, "twilio", "SM1"));
    // A late event with a lower sequence must not move the status back.
    audit.append(new NewAuditEvent("acme", "dlv-p", 2L, Instant.now(), "relay", "prepare", "ok",
        "prepared", "PREPARING", "SMS", 1, null, null, null));
    var record = deliveries.find("acme", "dlv-p").orElseThrow();
    assertThat(record.status()).isEqualTo("DELIVERED");
    assertThat(record.channel()).isEqualTo("SMS");
  }
}
