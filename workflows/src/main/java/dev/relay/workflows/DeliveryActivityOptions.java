package dev.relay.workflows;

import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.TaskQueues;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.Arrays;

/** Every activity option of the delivery workflow, explicit and in one place. */
final class DeliveryActivityOptions {

  private DeliveryActivityOptions() {}

  /**
   * Verify, consent, prepare and audit: reads and keyed writes against our own database. Retried
   * without limit, because a database outage must be waited out rather than turned into a failed
   * delivery; only the permanent Relay error types stop the retries.
   */
  static ActivityOptions standard() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.DELIVERY)
        .setStartToCloseTimeout(Duration.ofSeconds(10))
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(Duration.ofSeconds(30))
                .setMaximumAttempts(0) // unlimited
                .setDoNotRetry(permanentErrorTypes())
                .build())
        .build();
  }

  /**
   * The preparation's fast path: run in the workflow task, on the worker that runs the workflow,
   * so a healthy delivery spends no activity task on it (one marker instead of six events and a
   * workflow task). Bounded hard: three tries within five seconds, so it can never hold a
   * workflow task long enough to need heartbeats (each heartbeat would add events). When the
   * database is down it gives up and the workflow asks the regular activity ({@link #standard()}),
   * which waits out the outage with server-side retries that add no history.
   */
  static LocalActivityOptions localPreparation() {
    return LocalActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(2))
        .setScheduleToCloseTimeout(Duration.ofSeconds(5))
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofMillis(200))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(Duration.ofSeconds(1))
                .setMaximumAttempts(3)
                .setDoNotRetry(permanentErrorTypes())
                .build())
        .build();
  }

  /**
   * Status notifications: one keyed insert into the webhook outbox. The same timeout and retries
   * as the audit activity, and for the same reason: a database outage is waited out, so no status
   * event is dropped; the HTTP call to the client happens later, outside the workflow.
   */
  static ActivityOptions notification() {
    return standard();
  }

  /**
   * Sends: one try per activity call. The workflow runs the tries itself so the backoff gets
   * jitter and every failed try is audited; the activity dedupes on the send key.
   */
  static ActivityOptions send(Duration sendTimeout) {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.DELIVERY)
        .setStartToCloseTimeout(sendTimeout)
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build();
  }

  /**
   * Lean sends: one try per call as far as providers go (a refusal comes back as a result and the
   * workflow decides on the next try), but what is thrown is retried here by Temporal: Relay's own
   * database being down (STORE_UNAVAILABLE) and a worker that died mid-call (StartToClose). Those
   * retries add no history events, so a long outage cannot grow the history; the ledger's send
   * key makes each retry safe. No ScheduleToClose: an outage is waited out, and the delivery's
   * deadline, if any, cancels the wait.
   */
  static ActivityOptions leanSend(String taskQueue, Duration sendTimeout) {
    return ActivityOptions.newBuilder()
        .setTaskQueue(taskQueue)
        .setStartToCloseTimeout(sendTimeout)
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(Duration.ofSeconds(30))
                .setMaximumAttempts(0) // unlimited, see above
                .setDoNotRetry(permanentErrorTypes())
                .build())
        .build();
  }

  static String[] permanentErrorTypes() {
    return Arrays.stream(DeliveryErrorType.values())
        .filter(type -> !type.retryable())
        .map(Enum::name)
        .toArray(String[]::new);
  }
}
