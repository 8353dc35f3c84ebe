package dev.relay.workflows;

import dev.relay.contracts.Channel;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryView;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.WorkflowReplayer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded histories (see {@link HistoryRecorder}) against the current workflow code: a
 * change that would break deliveries already running fails here as a non-determinism error.
 */
class DeliveryReplayTest {

  /**
   * Loads the payload converter's classes before replaying: first-time class loading inside a
   * workflow thread on a busy machine can exceed Temporal's deadlock detector (1 s) and fail the
   * replay for a reason that has nothing to do with determinism.
   */
  @BeforeAll
  static void warmUpPayloadConversion() throws ClassNotFoundException {
    // The workflow's own classes too, for the same reason.
    for (Class<?> type : new Class<?>[] {DeliveryJournal.class, SendRound.class,
        SupportMailbox.class, DeliveryTimers.class, LeanChannelSteps.class,
        LegacyChannelSteps.class, ChannelSteps.TryOutcome.class, Failures.class}) {
      Class.forName(type.getName(), true, type.getClassLoader());
    }
    var converter = DefaultDataConverter.STANDARD_INSTANCE;
    DeliveryRequest request = new DeliveryRequest("t", "d", "r", "p", "tpl", Map.of("k", "v"),
        List.of(Channel.EMAIL), List.of(), Instant.EPOCH, Instant.EPOCH, null);
    converter.fromPayloads(0, converter.toPayloads(request), DeliveryRequest.class,
        DeliveryRequest.class);
    converter.toPayloads(new DeliveryView("d", null, Channel.SMS, 0, null, null, List.of()));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "histories/sms-fallback-delivery.json",
      "histories/support-retry-delivery.json",
      // version 1 of DeliveryWorkflowImpl.STATUS_NOTIFICATIONS: notifications and delay notice
      "histories/status-notifications-delivery.json",
      // the first release's STORE_UNAVAILABLE branch (a timer, no spent try), recorded from it
      "histories/store-outage-during-send.json",
      // version 1 of DeliveryWorkflowImpl.LEAN_DELIVERIES
      "histories/lean-email-delivery.json",
      "histories/lean-sms-fallback-delivery.json",
      "histories/lean-support-retry-delivery.json",
      "histories/lean-deadline-delivery.json",
      "histories/lean-store-outage-delivery.json",
      "histories/lean-cancelled-delivery.json",
      // version 2: the preparation as a local activity, and its fallback to the activity
      "histories/lean2-email-delivery.json",
      "histories/lean2-prepare-outage-delivery.json"})
  void recordedHistoryReplays(String resource) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(resource, DeliveryWorkflowImpl.class);
  }
}
