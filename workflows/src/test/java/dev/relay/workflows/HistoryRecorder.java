package dev.relay.workflows;

import static dev.relay.contracts.Channel.EMAIL;
import static dev.relay.contracts.Channel.SMS;
import static dev.relay.workflows.FakeActivities.SendOutcome.REJECT;
import static dev.relay.workflows.FakeActivities.SendOutcome.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import dev.relay.contracts.workflow.SupportAction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records the histories that {@link DeliveryReplayTest} replays. Not part of normal builds; run it
 * once after a deliberate, versioned change of the workflow and commit the JSON it writes:
 *
 * <pre>
 * mvn -o -pl workflows test -Dtest=HistoryRecorder -Drelay.recordHistories=true
 * </pre>
 *
 * Never regenerate them to make a failing replay test pass: a failing replay means the change
 * breaks running deliveries and needs {@code Workflow.getVersion}.
 */
@EnabledIfSystemProperty(named = "relay.recordHistories", matches = "true")
class HistoryRecorder {

  static final Path DIR = Path.of("src/test/resources/histories");

  /** EMAIL consent withdrawn → fallback to SMS, one transient SMS error, receipts by signal. */
  @Test
  void smsFallbackDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      t.fake.consent(EMAIL, ConsentDecision.denied(3, DeliveryErrorType.CONSENT_WITHDRAWN, "withdrawn"))
          .sends(SMS, UNAVAILABLE);
      DeliveryRequest request = t.request("history-sms-fallback", EMAIL, SMS);
      DeliveryWorkflow wf = t.start(request);
      t.settle();
      String sendKey = DeliveryIds.sendKey(request.deliveryId(), SMS, 1);
      t.receipt(request.deliveryId(), sendKey, "sent", null);
      t.receipt(request.deliveryId(), sendKey, "delivered", null);
      assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
      write(t, request, "sms-fallback-delivery.json");
    }
  }

  /** EMAIL exhausts its tries → NEEDS_ATTENTION → support retry (an Update) → DELIVERED. */
  @Test
  void supportRetryDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      t.fake.sends(EMAIL, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
      DeliveryRequest request = t.request("history-support-retry", EMAIL);
      DeliveryWorkflow wf = t.start(request);
      t.settle();
      wf.retry(SupportAction.of("agent-7", "provider is back"));
      assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
      write(t, request, "support-retry-delivery.json");
    }
  }

  /**
   * With status notifications (version 1 of "status-notifications"): EMAIL refused for good →
   * NEEDS_ATTENTION (notified) → the delay notice fires → EXPIRED (notified). Replayed by
   * {@link DeliveryReplayTest}.
   */
  @Test
  void statusNotificationsDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      t.fake.sends(EMAIL, REJECT);
      Instant deadline = t.now().plus(Duration.ofMinutes(30));
      DeliveryRequest request = t.request("history-status-notifications", deadline, EMAIL);
      DeliveryWorkflow wf = t.start(request);
      assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.EXPIRED);
      assertThat(t.fake.notifications()).hasSize(3);
      write(t, request, "status-notifications-delivery.json");
    }
  }

  // ---------------------------------------------------------------- lean-deliveries, version 1

  /** Lean: an email started as the API starts it (search attributes at start), delivered. */
  @Test
  void leanEmailDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      DeliveryRequest request = t.request("history-lean-email", EMAIL);
      assertThat(t.result(t.startAsApi(request)).status()).isEqualTo(DeliveryStatus.DELIVERED);
      write(t, request, "lean-email-delivery.json");
    }
  }

  /** Lean: EMAIL consent withdrawn → SMS, one refused try, receipts by signal, a final batch. */
  @Test
  void leanSmsFallbackDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      t.fake.consent(EMAIL, ConsentDecision.denied(3, DeliveryErrorType.CONSENT_WITHDRAWN, "withdrawn"))
          .sends(SMS, UNAVAILABLE);
      DeliveryRequest request = t.request("history-lean-sms-fallback", EMAIL, SMS);
      DeliveryWorkflow wf = t.startAsApi(request);
      t.settle();
      String sendKey = DeliveryIds.sendKey(request.deliveryId(), SMS, 1);
      t.receipt(request.deliveryId(), sendKey, "sent", null);
      t.receipt(request.deliveryId(), sendKey, "delivered", null);
      assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
      write(t, request, "lean-sms-fallback-delivery.json");
    }
  }

  /** Lean: tries exhausted → NEEDS_ATTENTION (flushed) → support retry → DELIVERED. */
  @Test
  void leanSupportRetryDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      t.fake.sends(EMAIL, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
      DeliveryRequest request = t.request("history-lean-support-retry", EMAIL);
      DeliveryWorkflow wf = t.startAsApi(request);
      t.settle();
      wf.retry(SupportAction.of("agent-7", "provider is back"));
      assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
      write(t, request, "lean-support-retry-delivery.json");
    }
  }

  /** Lean: refused for good → NEEDS_ATTENTION → delay notice (one timer chain) → EXPIRED. */
  @Test
  void leanDeadlineDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      t.fake.sends(EMAIL, REJECT);
      Instant deadline = t.now().plus(Duration.ofMinutes(30));
      DeliveryRequest request = t.request("history-lean-deadline", deadline, EMAIL);
      assertThat(t.result(t.startAsApi(request)).status()).isEqualTo(DeliveryStatus.EXPIRED);
      write(t, request, "lean-deadline-delivery.json");
    }
  }

  /** Lean: the database is down during the send; Temporal retries the one activity. */
  @Test
  void leanStoreOutageDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      t.fake.sends(EMAIL, FakeActivities.SendOutcome.STORE_DOWN, FakeActivities.SendOutcome.STORE_DOWN);
      DeliveryRequest request = t.request("history-lean-store-outage", EMAIL);
      assertThat(t.result(t.startAsApi(request)).status()).isEqualTo(DeliveryStatus.DELIVERED);
      write(t, request, "lean-store-outage-delivery.json");
    }
  }

  /** Lean: a support cancel while awaiting a receipt. */
  @Test
  void leanCancelledDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      DeliveryRequest request = t.request("history-lean-cancel", SMS);
      DeliveryWorkflow wf = t.startAsApi(request);
      t.env.sleep(Duration.ofSeconds(5));
      wf.cancel(SupportAction.of("agent-7", "customer asked"));
      assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.CANCELLED);
      write(t, request, "lean-cancelled-delivery.json");
    }
  }

  // ---------------------------------------------------------------- lean-deliveries, version 2

  /** Lean v2: the preparation as a local activity (one marker), then the send; delivered. */
  @Test
  void localPreparationEmailDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      DeliveryRequest request = t.request("history-lean2-email", EMAIL);
      assertThat(t.result(t.startAsApi(request)).status()).isEqualTo(DeliveryStatus.DELIVERED);
      write(t, request, "lean2-email-delivery.json");
    }
  }

  /** Lean v2: the database is down, the local preparation gives up, the activity waits it out. */
  @Test
  void localPreparationFallbackDelivery() throws IOException {
    try (DeliveryTestEnv t = new DeliveryTestEnv()) {
      t.fake.preparationOutage(5);
      DeliveryRequest request = t.request("history-lean2-prepare-outage", EMAIL, SMS);
      assertThat(t.result(t.startAsApi(request)).status()).isEqualTo(DeliveryStatus.DELIVERED);
      write(t, request, "lean2-prepare-outage-delivery.json");
    }
  }

  private static void write(DeliveryTestEnv t, DeliveryRequest request, String file) throws IOException {
    Files.createDirectories(DIR);
    String json = t.client.fetchHistory(DeliveryIds.workflowId(request.deliveryId())).toJson(true);
    Files.writeString(DIR.resolve(file), json);
  }
}
