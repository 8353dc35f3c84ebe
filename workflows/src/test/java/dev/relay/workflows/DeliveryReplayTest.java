package dev.relay.workflows;

import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded histories (see {@link HistoryRecorder}) against the current workflow code: a
 * change that would break deliveries already running fails here as a non-determinism error.
 */
class DeliveryReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"histories/sms-fallback-delivery.json", "histories/support-retry-delivery.json"})
  void recordedHistoryReplays(String resource) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(resource, DeliveryWorkflowImpl.class);
  }
}
