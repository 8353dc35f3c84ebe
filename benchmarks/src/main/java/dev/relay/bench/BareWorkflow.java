package dev.relay.bench;

import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;

/**
 * The ceiling: a workflow that only runs {@code activities} no-op activities one after another,
 * as many as a Relay email delivery schedules, on its own task queue.
 */
@WorkflowInterface
public interface BareWorkflow {
  String TASK_QUEUE = "relay-bench-bare";

  @WorkflowMethod
  void run(int activities);

  class Impl implements BareWorkflow {
    private final NoopActivities noop = Workflow.newActivityStub(NoopActivities.class,
        ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());

    @Override
    public void run(int activities) {
      for (int i = 0; i < activities; i++) {
        noop.noop(i);
      }
    }
  }
}
