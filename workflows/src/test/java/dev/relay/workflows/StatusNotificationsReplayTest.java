package dev.relay.workflows;

import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.api.Test;

/**
 * Replays a history recorded with status notifications and the delay notice (version 1 of
 * {@value DeliveryWorkflowImpl#STATUS_NOTIFICATIONS}), so a later change of that path that would
 * break running deliveries fails here, like {@link DeliveryReplayTest} does for the first version.
 */
class StatusNotificationsReplayTest {

  @Test
  void recordedHistoryWithNotificationsReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/status-notifications-delivery.json", DeliveryWorkflowImpl.class);
  }
}
