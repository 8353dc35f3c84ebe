package dev.relay.activities.notifications;

import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.activities.TestStore;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.NotificationActivities;
import dev.relay.contracts.activities.StatusEventType;
import dev.relay.contracts.activities.StatusNotification;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.webhook.OutboxRecord;
import dev.relay.store.webhook.OutboxState;
import dev.relay.store.webhook.StatusWebhookRepository;
import dev.relay.store.webhook.WebhookOutboxRepository;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The notification activity through Temporal's activity environment, on a real PostgreSQL. */
class NotificationActivitiesImplTest {
  private static final String DELIVERY = "dlv-00000000000000000000000000000042";
  private static final Instant AT = Instant.parse("2026-11-20T10:00:00.123Z");

  private TestStore store;
  private TestActivityEnvironment env;
  private NotificationActivities activity;
  private WebhookOutboxRepository outbox;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    outbox = new WebhookOutboxRepository(store.jdbi);
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(new NotificationActivitiesImpl(outbox));
    activity = env.newActivityStub(NotificationActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(10))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
    store.close();
  }

  @Test
  void oneRowPerEventEvenWhenTheCallIsRetried() throws Exception {
    new StatusWebhookRepository(store.jdbi).configure(TENANT, "https://hooks.acme.test/relay",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    StatusNotification delayed = notification(9, StatusEventType.DELAYED,
        DeliveryStatus.AWAITING_RECEIPT);

    activity.notifyStatus(delayed);
    activity.notifyStatus(delayed); // the retry after a lost response
    activity.notifyStatus(notification(12, StatusEventType.EXPIRED, DeliveryStatus.EXPIRED));

    List<OutboxRecord> rows = outbox.forDelivery(DELIVERY);
    assertThat(rows).extracting(OutboxRecord::eventId)
        .containsExactly(DELIVERY + ":9", DELIVERY + ":12");
    OutboxRecord row = rows.get(0);
    assertThat(row.type()).isEqualTo("delivery.delayed");
    assertThat(row.tenantId()).isEqualTo(TENANT);
    assertThat(row.state()).isEqualTo(OutboxState.PENDING);
    JsonNode payload = new ObjectMapper().readTree(row.payloadJson());
    assertThat(payload.path("type").asText()).isEqualTo("delivery.delayed");
    assertThat(payload.path("deliveryId").asText()).isEqualTo(DELIVERY);
    assertThat(payload.path("status").asText()).isEqualTo("AWAITING_RECEIPT");
    assertThat(payload.path("channel").asText()).isEqualTo("SMS");
    assertThat(payload.path("attempts").asInt()).isEqualTo(1);
    assertThat(payload.path("reason").asText()).isEqualTo("no receipt yet");
    assertThat(Instant.parse(payload.path("occurredAt").asText())).isEqualTo(AT);
    assertThat(payload.size()).isEqualTo(7);
  }

  @Test
  void noRowWhenTheTenantHasNoWebhook() {
    activity.notifyStatus(notification(3, StatusEventType.DELIVERED, DeliveryStatus.DELIVERED));
    store.tenants.upsertTenant(new Tenant("globex", "Globex", null));
    activity.notifyStatus(new StatusNotification("globex", DELIVERY, 4, StatusEventType.DELIVERED,
        DeliveryStatus.DELIVERED, Channel.EMAIL, 1, null, AT));

    assertThat(outbox.forDelivery(DELIVERY)).isEmpty();
  }

  @Test
  void theNullsOfAnEarlyEventStayNullInThePayload() {
    assertThat(NotificationActivitiesImpl.payload(new StatusNotification(TENANT, DELIVERY, 2,
        StatusEventType.REJECTED, DeliveryStatus.REJECTED, null, 0, null, AT)))
        .contains("\"channel\":null").contains("\"reason\":null")
        .startsWith("{\"type\":\"delivery.rejected\",\"deliveryId\":\"" + DELIVERY + "\"");
  }

  private static StatusNotification notification(long sequence, StatusEventType type,
      DeliveryStatus status) {
    return new StatusNotification(TENANT, DELIVERY, sequence, type, status, Channel.SMS, 1,
        "no receipt yet", AT);
  }
}
