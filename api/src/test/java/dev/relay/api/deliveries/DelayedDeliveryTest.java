package dev.relay.api.deliveries;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.api.support.TwilioFake;
import dev.relay.store.webhook.OutboxRecord;
import dev.relay.store.webhook.StatusWebhookRepository;
import dev.relay.store.webhook.WebhookOutboxRepository;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A delivery late against its deadline shows {@code "delayed": true} and queues the status events
 * for the tenant's webhook (the delay notice is 2 s in these tests, see {@link ApiTest}).
 */
class DelayedDeliveryTest extends ApiTest {

  @Test
  void aDeliveryStillWaitingNearItsDeadlineIsShownDelayedAndTheWebhookEventsAreQueued() {
    // globex has a webhook (set directly; the settings endpoint is for admins, globex has none).
    new StatusWebhookRepository(jdbi).configure("globex", "https://hooks.globex.test/relay",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    String phone = TwilioFake.phoneNumber();
    TwilioFake.accepts(twilio, phone, TwilioFake.sid()); // accepted, but no receipt ever comes
    String recipient = recipient(GLOBEX_CLIENT, null, phone, "alerts", false, true);
    String template = emailTemplate(GLOBEX_CLIENT);
    Instant deadline = Instant.now().plusSeconds(8);
    String body = "{\"recipientId\":\"" + recipient + "\",\"purpose\":\"alerts\",\"templateId\":\""
        + template + "\",\"channels\":[\"SMS\"],\"variables\":{\"name\":\"Ada\"},\"deadline\":\""
        + deadline + "\"}";

    Http.Reply accepted = postDelivery(GLOBEX_CLIENT, unique("key"), body);
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    String id = accepted.json().path("deliveryId").asString();
    assertThat(awaitStatus(GLOBEX_CLIENT, id, "AWAITING_RECEIPT").path("delayed").asBoolean())
        .isFalse();

    JsonNode late = awaitDelivery(GLOBEX_CLIENT, id, d -> d.path("delayed").asBoolean(),
        "delayed");
    assertThat(late.path("timeline").valueStream().map(e -> e.path("step").asString()))
        .contains("delayed");
    // Being late is not a status: the delivery keeps waiting for its receipt until the deadline.
    JsonNode expired = awaitStatus(GLOBEX_CLIENT, id, "EXPIRED");
    assertThat(expired.path("delayed").asBoolean()).isTrue();
    assertThat(http().get("/v1/deliveries/" + id, GLOBEX_CLIENT).json().path("delayed")
        .asBoolean()).isTrue();

    WebhookOutboxRepository outbox = new WebhookOutboxRepository(jdbi);
    assertThat(await(() -> outbox.forDelivery(id), rows -> rows.size() == 2, "two status events"))
        .extracting(OutboxRecord::type)
        .containsExactly("delivery.delayed", "delivery.expired");
    assertThat(outbox.forDelivery(id)).allSatisfy(row -> {
      assertThat(row.tenantId()).isEqualTo("globex");
      assertThat(row.eventId()).startsWith(id + ":");
      assertThat(row.payloadJson()).contains(id);
    });
  }

  @Test
  void aDeliveryDoneLongBeforeItsDeadlineIsNotDelayedAndATenantWithoutAWebhookGetsNoEvents() {
    String email = unique("ontime") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    String body = "{\"recipientId\":\"" + recipient + "\",\"purpose\":\"billing\",\"templateId\":\""
        + template + "\",\"variables\":{\"name\":\"Ada\"},\"deadline\":\"2099-01-01T00:00:00Z\"}";

    String id = postDelivery(ACME_CLIENT, unique("key"), body).json().path("deliveryId").asString();

    JsonNode delivered = awaitStatus(ACME_CLIENT, id, "DELIVERED");
    assertThat(delivered.has("delayed")).isTrue();
    assertThat(delivered.path("delayed").asBoolean()).isFalse();
    assertThat(new WebhookOutboxRepository(jdbi).forDelivery(id)).isEmpty();
  }
}
