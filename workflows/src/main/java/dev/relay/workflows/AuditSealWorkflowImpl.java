package dev.relay.workflows;

import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.activities.AuditSealActivities;
import dev.relay.contracts.activities.AuditSealReport;
import dev.relay.contracts.workflow.AuditSealWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * One run of the scheduled audit verifier: a single activity, so a run costs a few events and the
 * schedule (not a long-lived workflow) carries the repetition.
 */
public class AuditSealWorkflowImpl implements AuditSealWorkflow {

  /**
   * A run works through a bounded number of rows per tenant; ten minutes is far above that. A few
   * retries cover a database or archive blip; the next scheduled run covers the rest, so a run
   * never waits out a long outage (the schedule skips runs while one is still going).
   */
  static ActivityOptions options() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.AUDIT)
        .setStartToCloseTimeout(Duration.ofMinutes(10))
        .setScheduleToCloseTimeout(Duration.ofMinutes(30))
        .setRetryOptions(RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(10))
            .setBackoffCoefficient(2.0)
            .setMaximumInterval(Duration.ofMinutes(2))
            .setMaximumAttempts(4)
            .build())
        .build();
  }

  private final AuditSealActivities activities =
      Workflow.newActivityStub(AuditSealActivities.class, options());

  @Override
  public AuditSealReport run() {
    return activities.verifyAndExport();
  }
}
