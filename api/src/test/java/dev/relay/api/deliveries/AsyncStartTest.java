package dev.relay.api.deliveries;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.api.support.StartEvents;
import dev.relay.api.support.StartGate;
import dev.relay.api.support.TwilioFake;
import dev.relay.store.delivery.DeliveryRepository;
import io.temporal.client.WorkflowClient;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A POST answers once its row is committed; the workflow start is kicked right after, off the
 * request thread, with the search attributes an operator filters on already in the start event.
 */
class AsyncStartTest extends ApiTest {
  @Autowired
  DeliveryRepository deliveries;
  @Autowired
  WorkflowClient client;

  @AfterEach
  void openTheGate() {
    StartGate.open();
  }

  boolean started(String id) {
    return deliveries.find("acme", id).orElseThrow().workflowStarted();
  }

  @Test
  void acceptAnswersBeforeTheWorkflowStartsAndTheKickThenStartsIt() {
    String email = unique("kim") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    StartGate.close(); // every start now waits: the POST must not

    Http.Reply accepted = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "billing", template, null));

    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    String id = accepted.json().path("deliveryId").asString();
    assertThat(accepted.json().path("status").asString()).isEqualTo("ACCEPTED");
    assertThat(started(id)).isFalse();
    // The row is claimed by this process's kick, so no sweeper takes it meanwhile.
    assertThat(count("select count(*) from deliveries where id = ? and start_claimed_until > now()", id))
        .isEqualTo(1);
    // Readable at once, from the row.
    Http.Reply got = http().get("/v1/deliveries/" + id, ACME_CLIENT);
    assertThat(got.status()).as(got.body()).isEqualTo(200);
    assertThat(got.json().path("status").asString()).isEqualTo("ACCEPTED");
    assertThat(got.json().path("recipientId").asString()).isEqualTo(recipient);

    StartGate.open();

    await(() -> started(id), s -> s, "workflow of " + id + " started");
    awaitStatus(ACME_CLIENT, id, "DELIVERED");
    assertThat(mailTo(email)).hasSize(1);
    assertThat(count("select count(*) from deliveries where id = ? and start_claimed_until is null", id))
        .isEqualTo(1);
  }

  @Test
  void theWorkflowStartsWithItsSearchAttributesSet() {
    String phone = TwilioFake.phoneNumber();
    TwilioFake.accepts(twilio, phone, TwilioFake.sid());
    String recipient = recipient(ACME_CLIENT, unique("lea") + "@example.org", phone,
        "medical.results", true, true);
    String template = emailTemplate(ACME_CLIENT);

    String id = postDelivery(ACME_CLIENT, unique("key"),
        deliveryBody(recipient, "medical.results", template, "[\"SMS\",\"EMAIL\"]"))
        .json().path("deliveryId").asString();
    await(() -> started(id), s -> s, "workflow of " + id + " started");

    Map<String, String> attributes = StartEvents.searchAttributesAtStart(client, id);
    assertThat(attributes).containsEntry("Tenant", "acme")
        .containsEntry("RecipientId", recipient)
        .containsEntry("Purpose", "medical.results")
        .containsEntry("DeliveryStatus", "ACCEPTED")
        .containsEntry("Channel", "SMS");
  }

  @Test
  void aReplayOfAnUnstartedDeliveryIsTheSameDeliveryAndItStartsOnce() {
    String email = unique("max") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    String key = unique("key");
    String body = deliveryBody(recipient, "billing", template, null);
    StartGate.close();

    Http.Reply first = postDelivery(ACME_CLIENT, key, body);
    Http.Reply again = postDelivery(ACME_CLIENT, key, body);

    assertThat(again.status()).isEqualTo(202);
    assertThat(again.header("Idempotent-Replayed")).hasValue("true");
    String id = first.json().path("deliveryId").asString();
    assertThat(again.json().path("deliveryId").asString()).isEqualTo(id);
    StartGate.open();
    awaitStatus(ACME_CLIENT, id, "DELIVERED");
    assertThat(mailTo(email)).hasSize(1);
  }
}
