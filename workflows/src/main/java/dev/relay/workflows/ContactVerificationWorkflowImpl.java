package dev.relay.workflows;

import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.activities.CodeDispatch;
import dev.relay.contracts.activities.ContactVerificationActivities;
import dev.relay.contracts.activities.VerificationSend;
import dev.relay.contracts.workflow.ContactVerificationWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Texts one verification code: a single activity on the SMS send queue (so the server's SMS rate
 * applies to it like to any SMS), about ten events per verification.
 */
public class ContactVerificationWorkflowImpl implements ContactVerificationWorkflow {

  /**
   * A code is good for ten minutes: trying to text it for longer is pointless, so the whole
   * thing is bounded at five (ScheduleToClose) with a handful of tries for a database or Twilio
   * blip. Refusals (SMS guard, provider) are non-retryable typed failures.
   */
  static ActivityOptions options() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.SMS_SENDS)
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setScheduleToCloseTimeout(Duration.ofMinutes(5))
        .setRetryOptions(RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setBackoffCoefficient(2.0)
            .setMaximumInterval(Duration.ofSeconds(30))
            .setMaximumAttempts(6)
            .setDoNotRetry(DeliveryActivityOptions.permanentErrorTypes())
            .build())
        .build();
  }

  private final ContactVerificationActivities activities =
      Workflow.newActivityStub(ContactVerificationActivities.class, options());

  @Override
  public CodeDispatch sendCode(VerificationSend request) {
    return activities.sendVerificationCode(request);
  }
}
