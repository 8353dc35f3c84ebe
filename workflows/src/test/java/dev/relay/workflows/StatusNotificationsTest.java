package dev.relay.workflows;

import static dev.relay.contracts.Channel.EMAIL;
import static dev.relay.contracts.Channel.SMS;
import static dev.relay.workflows.FakeActivities.SendOutcome.REJECT;
import static dev.relay.workflows.FakeActivities.SendOutcome.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.StatusEventType;
import dev.relay.contracts.activities.StatusNotification;
import dev.relay.contracts.workflow.DeliveryPolicy;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryView;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import dev.relay.contracts.workflow.SupportAction;
import dev.relay.contracts.workflow.TimelineEntry;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Status notifications (the client's webhook events) and the delay notice, on the time-skipping
 * test server: which events a delivery emits, with which event IDs, and when it is late.
 */
@Timeout(60)
class StatusNotificationsTest {

  private DeliveryTestEnv t;
  private FakeActivities fake;

  @BeforeEach
  void setUp() {
    t = new DeliveryTestEnv();
    fake = t.fake;
  }

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void aDeliveredEmailNotifiesOnceWithTheEventIdOfItsAuditEvent() {
    DeliveryRequest request = t.request("notify-delivered", EMAIL);

    DeliveryView view = t.result(t.start(request));

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    AuditEvent sent = fake.lastAudit();
    assertThat(fake.notifications()).singleElement().satisfies(n -> {
      assertThat(n.type()).isEqualTo(StatusEventType.DELIVERED);
      assertThat(n.eventId()).isEqualTo(request.deliveryId() + ":" + sent.sequence());
      assertThat(n.tenantId()).isEqualTo(DeliveryTestEnv.TENANT);
      assertThat(n.deliveryId()).isEqualTo(request.deliveryId());
      assertThat(n.status()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(n.channel()).isEqualTo(EMAIL);
      assertThat(n.attempts()).isEqualTo(1);
      assertThat(n.occurredAt()).isEqualTo(sent.occurredAt());
    });
    assertThat(view.delayed()).isFalse();
  }

  @Test
  void needsAttentionIsNotifiedEachTimeItIsReachedAndTheFinalStatusAfterIt() {
    fake.sends(EMAIL, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE,
        UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
    DeliveryRequest request = t.request("notify-attention", EMAIL);
    DeliveryWorkflow wf = t.start(request);
    t.settle();

    assertThat(wf.status().status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    StatusNotification first = fake.notifications().get(0);
    assertThat(fake.notifications()).hasSize(1);
    assertThat(first.type()).isEqualTo(StatusEventType.NEEDS_ATTENTION);
    assertThat(first.status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    assertThat(first.reason()).startsWith("email send failed after 6 tries");
    assertThat(first.eventId())
        .isEqualTo(DeliveryIds.eventId(request.deliveryId(), audit("round", "failed").sequence()));

    wf.retry(SupportAction.of("agent-7", "try once more")); // fails again: back to support
    t.settle();
    wf.markDelivered(new SupportAction("agent-7", "confirmed by phone", null, "call 42"));

    assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(fake.notifications()).extracting(StatusNotification::type).containsExactly(
        StatusEventType.NEEDS_ATTENTION, StatusEventType.NEEDS_ATTENTION,
        StatusEventType.DELIVERED);
    assertThat(fake.notifications()).extracting(StatusNotification::eventId)
        .doesNotHaveDuplicates()
        .allMatch(id -> id.startsWith(request.deliveryId() + ":"));
  }

  @Test
  void rejectedAndCancelledAreFinalStatusesAndNotified() {
    fake.identity(EMAIL, IdentityCheck.failed(DeliveryErrorType.CONTACT_SUPPRESSED, "hard bounce"));
    DeliveryView rejected = t.result(t.start(t.request("notify-rejected", EMAIL)));
    assertThat(rejected.status()).isEqualTo(DeliveryStatus.REJECTED);

    DeliveryWorkflow awaiting = t.start(t.request("notify-cancelled", SMS));
    t.settle();
    awaiting.cancel(SupportAction.of("agent-7", "wrong recipient"));
    assertThat(t.result(awaiting).status()).isEqualTo(DeliveryStatus.CANCELLED);

    assertThat(fake.notifications()).extracting(StatusNotification::type)
        .containsExactly(StatusEventType.REJECTED, StatusEventType.CANCELLED);
    assertThat(fake.notifications().get(0).reason()).contains("CONTACT_SUPPRESSED");
    assertThat(fake.notifications().get(1).reason()).isEqualTo("wrong recipient");
  }

  @Test
  void theDelayNoticeFiresDelayNoticeBeforeTheDeadline() {
    fake.sends(EMAIL, REJECT); // NEEDS_ATTENTION at once, and nobody acts on it
    Instant deadline = t.now().plus(Duration.ofHours(1));
    Instant noticeAt = deadline.minus(DeliveryPolicy.DEFAULT_DELAY_NOTICE);
    DeliveryRequest request = t.request("delay-notice", deadline, EMAIL);
    DeliveryWorkflow wf = t.start(request);

    t.env.sleep(Duration.between(t.now(), noticeAt).minusMinutes(1));
    assertThat(wf.status().delayed()).isFalse();
    assertThat(fake.notifications()).extracting(StatusNotification::type)
        .containsExactly(StatusEventType.NEEDS_ATTENTION);

    t.env.sleep(Duration.ofMinutes(2));
    DeliveryView late = wf.status();
    assertThat(late.delayed()).isTrue();
    assertThat(late.status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    TimelineEntry entry = late.timeline().get(late.timeline().size() - 1);
    assertThat(entry.step()).isEqualTo("delayed");
    assertThat(entry.at()).isCloseTo(noticeAt, within(Duration.ofSeconds(1)));
    AuditEvent delayedAudit = audit("delayed", "late");
    // Being late changes neither the status projection nor its reason.
    assertThat(delayedAudit.status()).isNull();
    assertThat(delayedAudit.detail()).contains("NEEDS_ATTENTION").contains(deadline.toString());
    StatusNotification delayed = fake.notifications().get(1);
    assertThat(delayed.type()).isEqualTo(StatusEventType.DELAYED);
    assertThat(delayed.status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    assertThat(delayed.occurredAt()).isEqualTo(entry.at());
    assertThat(delayed.eventId())
        .isEqualTo(DeliveryIds.eventId(request.deliveryId(), delayedAudit.sequence()));

    DeliveryView expired = t.result(wf);
    assertThat(expired.status()).isEqualTo(DeliveryStatus.EXPIRED);
    assertThat(expired.delayed()).isTrue();
    assertThat(fake.notifications()).extracting(StatusNotification::type).containsExactly(
        StatusEventType.NEEDS_ATTENTION, StatusEventType.DELAYED, StatusEventType.EXPIRED);
  }

  @Test
  void aDeliveryFinishedBeforeTheNoticeIsNeverDelayed() {
    Instant deadline = t.now().plus(Duration.ofHours(1));
    DeliveryRequest request = t.request("delay-not-needed", deadline, SMS);
    DeliveryWorkflow wf = t.start(request);
    t.env.sleep(Duration.ofMinutes(40)); // past the 15-minute receipt timeout: NEEDS_ATTENTION
    assertThat(wf.status().status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);

    t.receipt(request.deliveryId(), DeliveryIds.sendKey(request.deliveryId(), SMS, 1),
        "delivered", null); // a late receipt settles it at minute 40, before the notice at 50
    DeliveryView view = t.result(wf);
    t.env.sleep(Duration.ofMinutes(30));

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.delayed()).isFalse();
    assertThat(fake.auditSteps()).noneMatch(step -> step.startsWith("delayed"));
    assertThat(fake.notifications()).extracting(StatusNotification::type)
        .containsExactly(StatusEventType.NEEDS_ATTENTION, StatusEventType.DELIVERED);
  }

  @Test
  void aShortDeadlineGetsTheNoticeAtItsMidpoint() {
    Instant deadline = t.now().plus(Duration.ofMinutes(8)); // shorter than twice the notice
    DeliveryWorkflow wf = t.start(t.request("delay-midpoint", deadline, SMS));

    t.env.sleep(Duration.ofMinutes(3).plusSeconds(50));
    assertThat(wf.status().delayed()).isFalse();
    t.env.sleep(Duration.ofSeconds(20));
    DeliveryView view = wf.status();
    assertThat(view.delayed()).isTrue();
    assertThat(view.timeline().get(view.timeline().size() - 1).at())
        .isCloseTo(deadline.minus(Duration.ofMinutes(4)), within(Duration.ofSeconds(1)));
  }

  @Test
  void aZeroDelayNoticeTurnsTheNoticeOff() {
    DeliveryPolicy d = DeliveryPolicy.defaults();
    DeliveryPolicy noNotice = new DeliveryPolicy(d.maxSendTries(), d.initialBackoff(),
        d.backoffCoefficient(), d.maxBackoff(), d.sendTimeout(), d.receiptTimeout(), Duration.ZERO);
    Instant deadline = t.now().plus(Duration.ofMinutes(30));

    DeliveryView view = t.result(t.start(t.request("delay-off", deadline, noNotice, SMS)));

    assertThat(view.status()).isEqualTo(DeliveryStatus.EXPIRED);
    assertThat(view.delayed()).isFalse();
    assertThat(fake.notifications()).extracting(StatusNotification::type)
        .containsExactly(StatusEventType.NEEDS_ATTENTION, StatusEventType.EXPIRED);
  }

  @Test
  void aNewWorkflowRecordsTheVersionMarkerAndItsHistoryReplays() throws Exception {
    fake.sends(EMAIL, REJECT);
    Instant deadline = t.now().plus(Duration.ofMinutes(30));
    DeliveryRequest request = t.request("delay-replay", deadline, EMAIL);
    assertThat(t.result(t.start(request)).status()).isEqualTo(DeliveryStatus.EXPIRED);

    WorkflowExecutionHistory history =
        t.client.fetchHistory(DeliveryIds.workflowId(request.deliveryId()));
    List<HistoryEvent> markers = history.getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED)
        .filter(e -> e.getMarkerRecordedEventAttributes().getMarkerName().equals("Version"))
        .toList();
    assertThat(markers).singleElement().satisfies(marker -> {
      assertThat(marker.getMarkerRecordedEventAttributes().getMarkerName()).isEqualTo("Version");
      assertThat(marker.getMarkerRecordedEventAttributes().getDetailsMap().toString())
          .contains(DeliveryWorkflowImpl.LEAN_DELIVERIES);
    });
    // One version marker (the other marker is the local preparation): the lean version implies notifications, so it records no second marker.
    // The new path (version marker, delay timer, batched notifications) is deterministic too.
    WorkflowReplayer.replayWorkflowExecution(history, DeliveryWorkflowImpl.class);
  }

  private AuditEvent audit(String step, String outcome) {
    return fake.audits().stream()
        .filter(e -> step.equals(e.step()) && outcome.equals(e.outcome()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no audit " + step + "/" + outcome + " in "
            + fake.auditSteps()));
  }
}
