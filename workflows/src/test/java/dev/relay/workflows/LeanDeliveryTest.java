package dev.relay.workflows;

import static dev.relay.contracts.Channel.EMAIL;
import static dev.relay.contracts.Channel.SMS;
import static dev.relay.workflows.FakeActivities.SendOutcome.STORE_DOWN;
import static dev.relay.workflows.FakeActivities.SendOutcome.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.SearchAttributes;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.workflow.DeliveryPolicy;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryView;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import dev.relay.contracts.workflow.SupportAction;
import io.temporal.client.WorkflowUpdateException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The history budget of DESIGN.md, held on every change: what a lean delivery writes into
 * Temporal's history, and that the bookkeeping it no longer spends activities on is still all
 * written.
 */
class LeanDeliveryTest {

  private final DeliveryTestEnv t = new DeliveryTestEnv();
  private final FakeActivities fake = t.fake;

  @AfterEach
  void close() {
    t.close();
  }

  @Test
  void anEmailCostsAtMostTwentyEventsAndFiveBillableActions() {
    DeliveryRequest request = t.request("lean-email", EMAIL);
    DeliveryWorkflow wf = t.startAsApi(request);
    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    HistoryCost cost = HistoryCost.of(t.history(request));
    assertThat(cost.events()).isLessThanOrEqualTo(20);
    assertThat(cost.billableActions()).isLessThanOrEqualTo(5);
    assertThat(cost.activityTasks()).isEqualTo(1); // the send; preparation ran locally
    assertThat(cost.workflowTasks()).isEqualTo(2);
    assertThat(cost.upserts()).isEqualTo(1); // DELIVERED
    assertThat(cost.timers()).isZero();
    // Nothing of the record was dropped: the same six events as before, in order, all written
    // by the two calls that ran anyway (the local preparation and the send).
    assertThat(fake.auditSteps()).containsExactly("accept/ok", "verify/started", "verify/ok",
        "consent/granted", "prepare/ok", "send/accepted");
    assertThat(fake.audits()).extracting(AuditEvent::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(fake.lastAudit().status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(fake.batches()).isZero();
    assertThat(t.searchStatus(wf)).isEqualTo("DELIVERED");
    assertThat(t.searchAttribute(wf, SearchAttributes.TENANT)).isEqualTo("acme");
  }

  @Test
  void aDeadlineCostsOneTimerAndNoCancellation() {
    Instant deadline = t.now().plus(Duration.ofHours(2));
    DeliveryRequest request = t.request("lean-deadline", deadline, EMAIL);
    assertThat(t.result(t.startAsApi(request)).status()).isEqualTo(DeliveryStatus.DELIVERED);

    HistoryCost cost = HistoryCost.of(t.history(request));
    assertThat(cost.timers()).isEqualTo(1);
    assertThat(cost.events()).isLessThanOrEqualTo(20);
    assertThat(t.history(request).getEvents()).noneMatch(e -> e.getEventType()
        == io.temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_CANCELED);
  }

  @Test
  void aStartWithoutSearchAttributesStillPublishesThem() {
    DeliveryRequest request = t.request("lean-no-attributes", EMAIL);
    DeliveryWorkflow wf = t.start(request);
    assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(t.searchAttribute(wf, SearchAttributes.TENANT)).isEqualTo("acme");
    assertThat(t.searchAttribute(wf, SearchAttributes.RECIPIENT_ID)).isEqualTo("rcp-42");
    assertThat(t.searchStatus(wf)).isEqualTo("DELIVERED");
  }

  @Test
  void aDatabaseOutageDuringTheSendAddsNoHistoryAndSpendsNoTry() {
    DeliveryRequest baseline = t.request("lean-no-outage", EMAIL);
    t.result(t.startAsApi(baseline));
    int happy = HistoryCost.of(t.history(baseline)).events();

    fake.sends(EMAIL, STORE_DOWN, STORE_DOWN, STORE_DOWN, STORE_DOWN);
    DeliveryRequest request = t.request("lean-outage", EMAIL);
    DeliveryView view = t.result(t.startAsApi(request));

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    // Temporal retried the one scheduled send: same events as without the outage.
    HistoryCost cost = HistoryCost.of(t.history(request));
    assertThat(cost.events()).isEqualTo(happy);
    assertThat(fake.sendCalls().stream().filter(s -> s.deliveryId().equals(request.deliveryId())))
        .extracting(SendRequest::tryNumber).containsOnly(1);
  }

  @Test
  void aDatabaseOutageDuringPreparationFallsBackToTheActivityThatWaitsItOut() {
    // Three local tries fail, then the regular activity is retried by the server until it works.
    fake.preparationOutage(6);
    DeliveryRequest request = t.request("lean-prepare-outage", EMAIL);
    DeliveryView view = t.result(t.startAsApi(request));

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(fake.preparationCalls()).isEqualTo(7);
    HistoryCost cost = HistoryCost.of(t.history(request));
    // One local marker (the failure) plus the scheduled preparation and the send: however long
    // the outage lasts, the history does not grow with it.
    assertThat(cost.activityTasks()).isEqualTo(2 + 3); // the preparation's 4 starts, the send
    assertThat(cost.events()).isLessThanOrEqualTo(22);
    assertThat(fake.auditSteps()).containsExactly("accept/ok", "verify/started", "verify/ok",
        "consent/granted", "prepare/ok", "send/accepted");
  }

  @Test
  void bookkeepingIsFlushedOnceBeforeWaitingForSupport() {
    fake.sends(EMAIL, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
    DeliveryRequest request = t.request("lean-attention", EMAIL);
    DeliveryWorkflow wf = t.startAsApi(request);
    t.settle();

    assertThat(wf.status().status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    assertThat(fake.batches()).isEqualTo(1);
    // Everything up to the wait is written, and the client was told.
    assertThat(fake.lastAudit().status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    assertThat(fake.auditSteps()).filteredOn(s -> s.equals("send/failed")).hasSize(6);
    assertThat(fake.notifications()).extracting(n -> n.status())
        .containsExactly(DeliveryStatus.NEEDS_ATTENTION);
    assertThat(t.searchStatus(wf)).isEqualTo("NEEDS_ATTENTION");
    // Sequence numbers stay unique and gap-free although failed tries reuse reserved ones.
    assertThat(fake.audits()).extracting(AuditEvent::sequence).doesNotHaveDuplicates()
        .isSorted();
  }

  @Test
  void aDeliveryNobodyAttendsToExpiresInsteadOfWaitingForEver() {
    fake.sends(EMAIL, FakeActivities.SendOutcome.REJECT);
    DeliveryRequest request = t.request("lean-forgotten", EMAIL);
    DeliveryWorkflow wf = t.startAsApi(request);
    t.settle();
    assertThat(wf.status().status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);

    t.env.sleep(DeliveryWorkflowImpl.ATTENTION_MAX_WAIT.plusHours(1));
    DeliveryView view = t.result(wf);
    assertThat(view.status()).isEqualTo(DeliveryStatus.EXPIRED);
    assertThat(view.reason()).contains("no support action within");
    assertThat(fake.lastAudit().status()).isEqualTo(DeliveryStatus.EXPIRED);
  }

  @Test
  void supportRoundsAreBoundedSoTheHistoryIs() {
    DeliveryPolicy oneTry = new DeliveryPolicy(1, Duration.ofMillis(200), 2.0,
        Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(15));
    FakeActivities.SendOutcome[] failures =
        new FakeActivities.SendOutcome[SupportMailbox.MAX_SUPPORT_ROUNDS + 1];
    java.util.Arrays.fill(failures, UNAVAILABLE);
    fake.sends(EMAIL, failures);
    DeliveryRequest request = t.request("lean-bounded", null, oneTry, EMAIL);
    DeliveryWorkflow wf = t.startAsApi(request);
    t.settle();
    for (int round = 1; round <= SupportMailbox.MAX_SUPPORT_ROUNDS; round++) {
      wf.retry(SupportAction.of("agent-7", "round " + round));
      t.settle();
      assertThat(wf.status().status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    }
    assertThatThrownBy(() -> wf.retry(SupportAction.of("agent-7", "one more")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause().hasMessageContaining("support rounds; cancel it and send a new delivery");
    // Cancelling still works, and the history stayed far below Temporal's limits.
    assertThat(wf.cancel(SupportAction.of("agent-7", "giving up")).status())
        .isEqualTo(DeliveryStatus.CANCELLED);
    assertThat(HistoryCost.of(t.history(request)).events()).isLessThan(2_000);
  }

  @Test
  void anSmsRoundTripStaysLean() {
    t.smsDeliveredImmediately();
    DeliveryRequest request = t.request("lean-sms", SMS);
    DeliveryView view = t.result(t.startAsApi(request));
    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    HistoryCost cost = HistoryCost.of(t.history(request));
    // send, and one batch for the receipt's events at the end (preparation ran locally)
    assertThat(cost.activityTasks()).isEqualTo(2);
    assertThat(fake.auditSteps()).endsWith("send/accepted", "receipt/delivered");
    assertThat(fake.audits()).extracting(AuditEvent::providerMessageId).last()
        .isEqualTo(FakeActivities.messageId(SMS, DeliveryIds.sendKey(request.deliveryId(), SMS, 1)));
  }
}
