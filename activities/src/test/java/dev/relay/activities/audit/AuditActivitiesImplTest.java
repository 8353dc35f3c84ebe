package dev.relay.activities.audit;

import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.activities.TestStore;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.store.audit.AuditRecord;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditActivitiesImplTest {
  private static final String DELIVERY = "dlv-00000000000000000000000000000001";
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00.123456Z");

  private TestStore store;
  private AuditActivitiesImpl audit;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    audit = new AuditActivitiesImpl(store.audit);
    store.deliveries.accept(DELIVERY, TENANT, "key-1", "hash", "{}", "r1", "invoices",
        "invoice", "ACCEPTED");
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void eventIsStoredWithStatusAndChannelNamesAndMovesTheProjection() {
    audit.recordAudit(new AuditEvent(TENANT, DELIVERY, 1, T0, "relay", "send", "accepted",
        "sent by smtp", DeliveryStatus.AWAITING_RECEIPT, Channel.EMAIL, 1, 3, "smtp", "<id@x>"));

    AuditRecord stored = store.audit.forDelivery(TENANT, DELIVERY).get(0);
    assertThat(stored.sequence()).isEqualTo(1L);
    assertThat(stored.occurredAt()).isEqualTo(T0);
    assertThat(stored.status()).isEqualTo("AWAITING_RECEIPT");
    assertThat(stored.channel()).isEqualTo("EMAIL");
    assertThat(stored.attempts()).isEqualTo(1);
    assertThat(stored.consentVersion()).isEqualTo(3);
    assertThat(stored.provider()).isEqualTo("smtp");
    assertThat(stored.providerMessageId()).isEqualTo("<id@x>");
    assertThat(store.deliveries.find(TENANT, DELIVERY).orElseThrow().status())
        .isEqualTo("AWAITING_RECEIPT");
  }

  @Test
  void eventWithoutStatusOrChannelLeavesThemEmpty() {
    audit.recordAudit(new AuditEvent(TENANT, DELIVERY, 1, T0, "relay", "verify", "ok", null,
        null, null, 0, null, null, null));

    AuditRecord stored = store.audit.forDelivery(TENANT, DELIVERY).get(0);
    assertThat(stored.status()).isNull();
    assertThat(stored.channel()).isNull();
    assertThat(store.deliveries.find(TENANT, DELIVERY).orElseThrow().status())
        .isEqualTo("ACCEPTED");
  }

  @Test
  void retriedEventIsStoredOnceAndTheChainStaysIntact() {
    AuditEvent verify = event(1, "verify", DeliveryStatus.VERIFYING);
    AuditEvent consent = event(2, "consent", DeliveryStatus.CHECKING_CONSENT);

    audit.recordAudit(verify);
    audit.recordAudit(verify); // the retry after a lost response
    audit.recordAudit(consent);
    audit.recordAudit(consent);
    audit.recordAudit(verify); // a late duplicate never moves the status back

    assertThat(store.audit.forDelivery(TENANT, DELIVERY))
        .extracting(AuditRecord::step).containsExactly("verify", "consent");
    var chain = store.audit.verifyChain(TENANT);
    assertThat(chain.intact()).isTrue();
    assertThat(chain.rowsChecked()).isEqualTo(2);
    assertThat(store.deliveries.find(TENANT, DELIVERY).orElseThrow().status())
        .isEqualTo("CHECKING_CONSENT");
  }

  private static AuditEvent event(long sequence, String step, DeliveryStatus status) {
    return new AuditEvent(TENANT, DELIVERY, sequence, T0.plusSeconds(sequence), "relay", step,
        "ok", null, status, Channel.EMAIL, 0, null, null, null);
  }
}
