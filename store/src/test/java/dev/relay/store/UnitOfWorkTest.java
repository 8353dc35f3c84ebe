package dev.relay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.store.audit.AuditRecord;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.NewAuditEvent;
import dev.relay.store.delivery.DeliveryRepository;
import dev.relay.store.delivery.SendLedgerRepository;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.testing.TestDatabase;
import dev.relay.store.webhook.OutboxEvent;
import dev.relay.store.webhook.StatusWebhookRepository;
import dev.relay.store.webhook.WebhookOutboxRepository;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Writes that commit together, on a real PostgreSQL. */
class UnitOfWorkTest {
  private static final Instant T0 = Instant.parse("2026-11-28T10:00:00.123456789Z");

  private Jdbi jdbi;
  private UnitOfWork unitOfWork;
  private AuditRepository audit;
  private DeliveryRepository deliveries;
  private SendLedgerRepository ledger;
  private WebhookOutboxRepository outbox;

  @BeforeEach
  void setUp() {
    jdbi = RelayDatabase.jdbi(TestDatabase.fresh());
    unitOfWork = new UnitOfWork(jdbi);
    audit = new AuditRepository(jdbi);
    deliveries = new DeliveryRepository(jdbi);
    ledger = new SendLedgerRepository(jdbi);
    outbox = new WebhookOutboxRepository(jdbi);
    new TenantRepository(jdbi).upsertTenant(new Tenant("acme", "Acme", null));
    new StatusWebhookRepository(jdbi).configure("acme", "https://hooks.acme.test", "whsec_x");
    deliveries.accept("dlv-1", "acme", "key-1", "h", "{}", "r1", "billing", "t1", "ACCEPTED");
  }

  @Test
  void aBatchIsAppendedInSequenceOrderAndTheNewestStatusWins() {
    // Given out of order: the chain still follows the workflow's sequence.
    List<AuditRecord> stored = unitOfWork.inTransaction(w -> w.appendAudit(List.of(
        event(3, "consent", "CHECKING_CONSENT"), event(1, "accepted", null),
        event(2, "verify", "VERIFYING"))));

    assertThat(stored).extracting(AuditRecord::sequence).containsExactly(3L, 1L, 2L);
    assertThat(audit.forDelivery("acme", "dlv-1")).extracting(AuditRecord::chainSeq)
        .containsExactly(1L, 2L, 3L);
    assertThat(audit.verifyChain("acme").intact()).isTrue();
    assertThat(deliveries.find("acme", "dlv-1").orElseThrow().status())
        .isEqualTo("CHECKING_CONSENT");
  }

  @Test
  void theSameBatchTwiceWritesNothingMoreAndReturnsTheStoredRows() {
    List<NewAuditEvent> batch = List.of(event(1, "verify", "VERIFYING"), event(2, "consent", null));
    List<AuditRecord> first = unitOfWork.inTransaction(w -> w.appendAudit(batch));
    List<NewAuditEvent> retried = List.of(event(1, "verify", "VERIFYING"),
        new NewAuditEvent("acme", "dlv-1", 2L, T0.plusSeconds(60), "relay", "consent", "ok",
            "a later clock", null, "EMAIL", 1, null, null, null));
    List<AuditRecord> again = unitOfWork.inTransaction(w -> w.appendAudit(retried));

    assertThat(again).isEqualTo(first);
    assertThat(audit.forDelivery("acme", "dlv-1")).hasSize(2);
    assertThat(audit.verifyChain("acme").rowsChecked()).isEqualTo(2);
    assertThat(audit.verifyChain("acme").intact()).isTrue();
  }

  @Test
  void nothingIsWrittenWhenTheTransactionFails() {
    ledger.begin("send-1", "acme", "dlv-1", "EMAIL", 1, "smtp-primary");

    assertThatThrownBy(() -> unitOfWork.inTransaction(w -> {
      w.markSent("send-1", "smtp-primary", "<m@x>");
      w.enqueueWebhook(new OutboxEvent("evt-1", "acme", "dlv-1", "delivery.delivered", "{}"));
      w.appendAudit(List.of(event(1, "send", "DELIVERED")));
      throw new IllegalStateException("the worker dies before commit");
    })).hasMessageContaining("worker dies");

    assertThat(ledger.find("send-1").orElseThrow().inFlight()).isTrue();
    assertThat(outbox.find("evt-1")).isEmpty();
    assertThat(audit.forDelivery("acme", "dlv-1")).isEmpty();
    assertThat(deliveries.find("acme", "dlv-1").orElseThrow().status()).isEqualTo("ACCEPTED");
  }

  @Test
  void aSentRowItsEventAndItsNotificationCommitTogether() {
    ledger.begin("send-1", "acme", "dlv-1", "EMAIL", 1, "smtp-primary");

    unitOfWork.inTransaction(w -> {
      w.markSent("send-1", "smtp-primary", "<m@x>");
      w.enqueueWebhook(new OutboxEvent("evt-1", "acme", "dlv-1", "delivery.delivered", "{}"));
      return w.appendAudit(List.of(event(1, "send", "DELIVERED")));
    });

    assertThat(ledger.find("send-1").orElseThrow().sent()).isTrue();
    assertThat(outbox.find("evt-1")).isPresent();
    assertThat(deliveries.find("acme", "dlv-1").orElseThrow().status()).isEqualTo("DELIVERED");
  }

  @Test
  void aSettledSendIsRecordedUnderTheNewRoundsKeyToo() {
    unitOfWork.inTransaction(w -> {
      w.settledAs("send-2", "acme", "dlv-1", "EMAIL", 2, "smtp-primary", "<m@x>");
      return null;
    });

    var entry = ledger.find("send-2").orElseThrow();
    assertThat(entry.sent()).isTrue();
    assertThat(entry.round()).isEqualTo(2);
    assertThat(entry.providerMessageId()).isEqualTo("<m@x>");
  }

  private static NewAuditEvent event(long sequence, String step, String status) {
    return new NewAuditEvent("acme", "dlv-1", sequence, T0.plusSeconds(sequence), "relay", step,
        "ok", "detail " + sequence, status, "EMAIL", 1, null, null, null);
  }
}
