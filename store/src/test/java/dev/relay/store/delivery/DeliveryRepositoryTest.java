package dev.relay.store.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.store.RelayDatabase;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DeliveryRepositoryTest {
  static Jdbi jdbi;
  static DeliveryRepository deliveries;
  static SendLedgerRepository ledger;

  @BeforeAll
  static void setUp() {
    jdbi = RelayDatabase.jdbi(TestDatabase.fresh());
    deliveries = new DeliveryRepository(jdbi);
    ledger = new SendLedgerRepository(jdbi);
    new TenantRepository(jdbi).upsertTenant(new Tenant("acme", "Acme", null));
  }

  @Test
  void sameKeySameBodyIsDuplicateDifferentBodyIsConflict() {
    var first = deliveries.accept("d1", "acme", "k1", "hash-a", "{}", "r", "p", "t", "ACCEPTED");
    var again = deliveries.accept("d1", "acme", "k1", "hash-a", "{}", "r", "p", "t", "ACCEPTED");
    var other = deliveries.accept("d1", "acme", "k1", "hash-b", "{}", "r", "p", "t", "ACCEPTED");
    assertThat(first).isInstanceOf(AcceptOutcome.Created.class);
    assertThat(again).isInstanceOf(AcceptOutcome.Duplicate.class);
    assertThat(other).isInstanceOf(AcceptOutcome.Conflict.class);
  }

  @Test
  void concurrentAcceptsOfOneKeyCreateExactlyOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Callable<AcceptOutcome>> calls = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      calls.add(() -> deliveries.accept("d-conc", "acme", "k-conc", "h", "{}", "r", "p", "t", "ACCEPTED"));
    }
    long created = 0;
    for (Future<AcceptOutcome> f : pool.invokeAll(calls)) {
      if (f.get() instanceof AcceptOutcome.Created) {
        created++;
      }
    }
    pool.shutdown();
    assertThat(created).isEqualTo(1);
  }

  @Test
  void ledgerTellsARetryWhatAnEarlierTryDid() {
    assertThat(ledger.begin("d1:email:1", "acme", "d1", "EMAIL", 1, "smtp")).isEmpty();
    // A crash here leaves SENDING: the next try learns the provider may have been called.
    assertThat(ledger.begin("d1:email:1", "acme", "d1", "EMAIL", 1, "smtp"))
        .hasValueSatisfying(e -> assertThat(e.inFlight()).isTrue());
    ledger.markSent("d1:email:1", "smtp", "<m1@relay>");
    assertThat(ledger.begin("d1:email:1", "acme", "d1", "EMAIL", 1, "smtp"))
        .hasValueSatisfying(e -> {
          assertThat(e.sent()).isTrue();
          assertThat(e.providerMessageId()).isEqualTo("<m1@relay>");
          assertThat(e.tries()).isEqualTo(2);
        });
    assertThat(ledger.findByProviderMessageId("smtp", "<m1@relay>")).isPresent();
    assertThat(ledger.countSent("d1")).isEqualTo(1);
  }

  @Test
  void aMessageSettledForTwoRoundsIsOneSendAndMatchesItsNewestRound() {
    ledger.begin("d9:sms:1", "acme", "d9", "SMS", 1, "twilio");
    ledger.markSent("d9:sms:1", "twilio", "SM9");
    ledger.begin("d9:sms:2", "acme", "d9", "SMS", 2, "twilio");
    ledger.markSent("d9:sms:2", "twilio", "SM9");

    assertThat(ledger.findByProviderMessageId("twilio", "SM9"))
        .hasValueSatisfying(e -> assertThat(e.sendKey()).isEqualTo("d9:sms:2"));
    assertThat(ledger.countSent("d9")).isEqualTo(1);
  }

  @Test
  void pagesFilterByStatusAndRecipient() {
    deliveries.accept("p1", "acme", "pk1", "h", "{}", "alice", "p", "t", "ACCEPTED");
    deliveries.accept("p2", "acme", "pk2", "h", "{}", "bob", "p", "t", "ACCEPTED");
    assertThat(deliveries.page("acme", null, "alice", null, null, 10))
        .extracting(DeliveryRecord::id).containsExactly("p1");
    assertThat(deliveries.page("acme", "DELIVERED", null, null, null, 10)).isEmpty();
    List<DeliveryRecord> first = deliveries.page("acme", null, null, null, null, 1);
    List<DeliveryRecord> next = deliveries.page("acme", null, null, first.get(0).createdAt(),
        first.get(0).id(), 100);
    assertThat(next).extracting(DeliveryRecord::id).doesNotContain(first.get(0).id());
    assertThat(deliveries.page("other-tenant", null, null, null, null, 10)).isEmpty();
  }

  static NewDelivery row(String id, String key, String hash) {
    return new NewDelivery(id, "acme", key, hash, "{}", "r", "p", "t", "ACCEPTED");
  }

  @Test
  void aBatchIsWrittenInOneTransactionWithOneOutcomePerItem() {
    deliveries.accept("b-known", "acme", "bk-known", "h1", "{}", "r", "p", "t", "ACCEPTED");
    List<AcceptOutcome> outcomes = deliveries.acceptAll("acme", List.of(
        row("b-new-2", "bk-new-2", "h"), row("b-known", "bk-known", "h1"),
        row("b-new-1", "bk-new-1", "h")),
        java.time.Duration.ofSeconds(30));
    assertThat(outcomes.get(0)).isInstanceOf(AcceptOutcome.Created.class);
    assertThat(outcomes.get(0).record().id()).isEqualTo("b-new-2");
    assertThat(outcomes.get(1)).isInstanceOf(AcceptOutcome.Duplicate.class);
    assertThat(outcomes.get(2)).isInstanceOf(AcceptOutcome.Created.class);
    assertThat(deliveries.findByKeys("acme", List.of("bk-new-1", "bk-new-2", "bk-none")))
        .containsOnlyKeys("bk-new-1", "bk-new-2");
  }

  @Test
  void aFailingBatchWritesNothing() {
    jdbi.useHandle(h -> h.execute("""
        create function fail_repo_test() returns trigger language plpgsql as $$
        begin
          if new.idempotency_key = 'rk-boom' then raise exception 'boom'; end if;
          return new;
        end $$;
        create trigger fail_repo_test before insert on deliveries
          for each row execute function fail_repo_test();
        """));
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> deliveries.acceptAll("acme", List.of(
          row("r-a", "rk-a", "h"), row("r-b", "rk-b", "h"), row("r-boom", "rk-boom", "h")),
          java.time.Duration.ZERO)).isInstanceOf(org.jdbi.v3.core.JdbiException.class);
    } finally {
      jdbi.useHandle(h -> h.execute(
          "drop trigger fail_repo_test on deliveries; drop function fail_repo_test();"));
    }
    assertThat(deliveries.findByKeys("acme", List.of("rk-a", "rk-b", "rk-boom"))).isEmpty();
  }

  @Test
  void sweepersClaimDisjointRowsAndSkipClaimedAndStartedOnes() {
    jdbi.useHandle(h -> h.execute("update deliveries set workflow_started = true"));
    deliveries.accept(row("c-kicked", "ck-kicked", "h"), java.time.Duration.ofMinutes(5));
    deliveries.accept(row("c-1", "ck-1", "h"), java.time.Duration.ZERO);
    deliveries.accept(row("c-2", "ck-2", "h"), java.time.Duration.ZERO);
    deliveries.accept(row("c-3", "ck-3", "h"), java.time.Duration.ZERO);
    deliveries.markWorkflowStarted("c-3");

    List<DeliveryRecord> first = deliveries.claimUnstarted(1, java.time.Duration.ofMinutes(1));
    List<DeliveryRecord> second = deliveries.claimUnstarted(10, java.time.Duration.ofMinutes(1));
    assertThat(first).extracting(DeliveryRecord::id).containsExactly("c-1");
    assertThat(second).extracting(DeliveryRecord::id).containsExactly("c-2");
    assertThat(deliveries.claimUnstarted(10, java.time.Duration.ofMinutes(1))).isEmpty();

    // A released claim (the start could not be made) is swept again.
    deliveries.releaseStartClaim("c-2");
    deliveries.releaseStartClaim("c-kicked");
    assertThat(deliveries.claimUnstarted(10, java.time.Duration.ofMinutes(1)))
        .extracting(DeliveryRecord::id).containsExactly("c-kicked", "c-2");
  }
}
