package dev.relay.activities.audit;

import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.activities.TestStore;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.AuditBatch;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.StatusEventType;
import dev.relay.contracts.activities.StatusNotification;
import dev.relay.store.audit.AuditRecord;
import dev.relay.store.webhook.OutboxRecord;
import dev.relay.store.webhook.StatusWebhookRepository;
import dev.relay.store.webhook.WebhookOutboxRepository;
import java.time.Instant;
import java.util.List;
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
    audit = new AuditActivitiesImpl(store.bookkeeping);
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

  @Test
  void aBatchWritesEventsStatusAndNotificationsAndARetryWritesNothingMore() {
    new StatusWebhookRepository(store.jdbi).configure(TENANT, "https://hooks.acme.test/relay",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    AuditBatch batch = new AuditBatch(
        List.of(event(1, "verify", DeliveryStatus.VERIFYING), event(2, "consent", null),
            event(3, "prepare", DeliveryStatus.NEEDS_ATTENTION)),
        List.of(new StatusNotification(TENANT, DELIVERY, 3, StatusEventType.NEEDS_ATTENTION,
            DeliveryStatus.NEEDS_ATTENTION, Channel.EMAIL, 1, "template missing",
            T0.plusSeconds(3))));

    audit.recordBatch(batch);
    List<AuditRecord> first = store.audit.forDelivery(TENANT, DELIVERY);
    audit.recordBatch(batch); // the retry after a lost response

    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).isEqualTo(first)
        .extracting(AuditRecord::step).containsExactly("verify", "consent", "prepare");
    var chain = store.audit.verifyChain(TENANT);
    assertThat(chain.intact()).isTrue();
    assertThat(chain.rowsChecked()).isEqualTo(3);
    assertThat(store.deliveries.find(TENANT, DELIVERY).orElseThrow().status())
        .isEqualTo("NEEDS_ATTENTION");
    List<OutboxRecord> queued = new WebhookOutboxRepository(store.jdbi).forDelivery(DELIVERY);
    assertThat(queued).singleElement().satisfies(row -> {
      assertThat(row.eventId()).isEqualTo(DeliveryIds.eventId(DELIVERY, 3));
      assertThat(row.type()).isEqualTo("delivery.needs_attention");
      assertThat(row.payloadJson()).contains("template missing");
    });
  }

  @Test
  void aBatchThatCannotBeWrittenWholeWritesNothing() {
    new StatusWebhookRepository(store.jdbi).configure(TENANT, "https://hooks.acme.test/relay",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    AuditEvent broken = new AuditEvent(TENANT, DELIVERY, 3, null, "relay", "prepare", "ok", null,
        DeliveryStatus.PREPARING, Channel.EMAIL, 0, null, null, null);
    AuditBatch batch = new AuditBatch(
        List.of(event(1, "verify", DeliveryStatus.VERIFYING), event(2, "consent", null), broken),
        List.of(new StatusNotification(TENANT, DELIVERY, 1, StatusEventType.DELAYED,
            DeliveryStatus.VERIFYING, Channel.EMAIL, 0, null, T0)));

    assertThatThrownBy(() -> audit.recordBatch(batch)).isInstanceOf(RuntimeException.class);

    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).isEmpty();
    assertThat(new WebhookOutboxRepository(store.jdbi).forDelivery(DELIVERY)).isEmpty();
    assertThat(store.deliveries.find(TENANT, DELIVERY).orElseThrow().status())
        .isEqualTo("ACCEPTED");
  }

  @Test
  void anEmptyBatchWritesNothing() {
    audit.recordBatch(AuditBatch.EMPTY);

    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).isEmpty();
  }

  private static AuditEvent event(long sequence, String step, DeliveryStatus status) {
    return new AuditEvent(TENANT, DELIVERY, sequence, T0.plusSeconds(sequence), "relay", step,
        "ok", null, status, Channel.EMAIL, 0, null, null, null);
  }
}
