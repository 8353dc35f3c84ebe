package dev.relay.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.contracts.TaskQueues;
import dev.relay.systemtests.stack.RelayStack;
import dev.relay.systemtests.stack.StackExtension;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The email provider's rate holds across worker processes: two workers, each configured with
 * {@code relay.worker.sends.email.rate-per-second=R}, poll the email send queue; a burst of N
 * activity tasks on that queue is handed out at R per second in total, not R per worker.
 *
 * <p>The tasks are of a type no worker registered: each worker that gets one answers at once
 * with "not registered" (no mail is sent, no row is written), so what the test sees is only the
 * server's dispatch. Dispatch times are the server's own (the ActivityTaskStarted events), not
 * the test's clock. The server's limiter is a token bucket per task-queue partition with about one
 * second of rate as burst (matching's {@code max(ceil(R/partitions), 1)} per partition, or R
 * with the newer limiter), so at most {@code R + partitions} tasks go out at once; the dev
 * server has at most 4 partitions. N tasks therefore need at least (N - R - 4) / R seconds from
 * the first dispatch to the last. The test allows twice the burst: (N - 2R - 4) / R.
 *
 * <p>Control: the SMS send queue is configured unlimited (0) on the same workers, and the same
 * burst there must go out faster than that bound; otherwise the bound would prove nothing on a
 * slow machine.
 */
class SendRateAcrossWorkersIT {
  private static final Logger log = LoggerFactory.getLogger(SendRateAcrossWorkersIT.class);

  static final int RATE = 5;
  static final int TASKS = 40;
  static final String PROBE_QUEUE = "systest-rate-probe";
  static final String PROBE_TYPE = "RelayRateProbe";

  @RegisterExtension
  static final StackExtension STACK = new StackExtension()
      .options(RelayStack.Options.DEFAULT.withWorkers(2))
      .workerEnv("RELAY_WORKER_SENDS_EMAIL_RATEPERSECOND", Integer.toString(RATE))
      .workerEnv("RELAY_WORKER_SENDS_SMS_RATEPERSECOND", "0");

  @Test
  void twoWorkersTogetherTakeTheEmailQueuesTasksAtTheConfiguredRate() {
    RelayStack stack = STACK.stack();
    WorkflowClient temporal = stack.workflowClient();
    WorkerFactory probes = WorkerFactory.newInstance(temporal);
    probes.newWorker(PROBE_QUEUE).registerWorkflowImplementationTypes(BurstImpl.class);
    probes.start();
    List<HistoryEvent> limited;
    List<HistoryEvent> unlimited;
    try {
      limited = burst(temporal, TaskQueues.EMAIL_SENDS);
      unlimited = burst(temporal, TaskQueues.SMS_SENDS);
    } finally {
      probes.shutdownNow();
    }

    Map<String, Long> byWorker = limited.stream().collect(Collectors.groupingBy(
        e -> e.getActivityTaskStartedEventAttributes().getIdentity(), TreeMap::new,
        Collectors.counting()));
    Duration span = span(limited);
    Duration controlSpan = span(unlimited);
    log.info("{} tasks at rate {}/s dispatched over {} ms ({} /s observed), by worker: {}; "
        + "per second: {}; unlimited control: {} ms", TASKS, RATE, span.toMillis(),
        "%.2f".formatted((TASKS - 1) * 1000.0 / Math.max(1, span.toMillis())), byWorker,
        perSecond(limited), controlSpan.toMillis());

    // Both processes took tasks: the limit is the queue's, shared by its pollers.
    List<String> pids = stack.workers().stream().map(w -> w.process().pid() + "@").toList();
    for (String pid : pids) {
      assertThat(byWorker.keySet()).as("workers that took tasks (%s)", pids)
          .anySatisfy(identity -> assertThat(identity).startsWith(pid));
    }
    long minimumMillis = (long) ((TASKS - 2.0 * RATE - 4) / RATE * 1000);
    assertThat(span.toMillis())
        .as("ms from the first dispatch to the last of %d tasks at %d/s in total", TASKS, RATE)
        .isGreaterThanOrEqualTo(minimumMillis);
    assertThat(controlSpan.toMillis())
        .as("ms for the same burst on a queue without a limit (control)")
        .isLessThan(minimumMillis);
  }

  /**
   * Schedules {@link #TASKS} probe tasks on {@code taskQueue} at once and returns their
   * ActivityTaskStarted events (the server's dispatch times), in time order.
   */
  private static List<HistoryEvent> burst(WorkflowClient temporal, String taskQueue) {
    String workflowId = "systest-rate-burst-" + taskQueue;
    List<String> answers = temporal.newWorkflowStub(Burst.class, WorkflowOptions.newBuilder()
            .setTaskQueue(PROBE_QUEUE).setWorkflowId(workflowId)
            .setWorkflowExecutionTimeout(Duration.ofMinutes(3)).build())
        .schedule(taskQueue, TASKS);
    // Every task reached a Relay worker: it answered that it has no such activity.
    assertThat(answers).as("answers on %s", taskQueue).hasSize(TASKS)
        .allSatisfy(a -> assertThat(a).contains("is not registered").contains("SendEmail"));
    List<HistoryEvent> started = temporal.fetchHistory(workflowId).getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
        .sorted(Comparator.comparing(e -> instant(e)))
        .toList();
    assertThat(started).as("dispatches on %s", taskQueue).hasSize(TASKS);
    return started;
  }

  private static Duration span(List<HistoryEvent> started) {
    return Duration.between(instant(started.get(0)), instant(started.get(started.size() - 1)));
  }

  private static Instant instant(HistoryEvent event) {
    return Instant.ofEpochSecond(event.getEventTime().getSeconds(), event.getEventTime().getNanos());
  }

  /** Dispatches per second since the first one, for the log. */
  private static List<Long> perSecond(List<HistoryEvent> started) {
    Instant first = instant(started.get(0));
    Map<Long, Long> counts = started.stream().collect(Collectors.groupingBy(
        e -> Duration.between(first, instant(e)).toSeconds(), TreeMap::new, Collectors.counting()));
    List<Long> out = new ArrayList<>();
    long last = counts.isEmpty() ? -1 : ((TreeMap<Long, Long>) counts).lastKey();
    for (long s = 0; s <= last; s++) {
      out.add(counts.getOrDefault(s, 0L));
    }
    return out;
  }

  @WorkflowInterface
  public interface Burst {
    /** Schedules {@code count} activity tasks on {@code taskQueue} at once; returns the answers. */
    @WorkflowMethod
    List<String> schedule(String taskQueue, int count);
  }

  public static class BurstImpl implements Burst {
    @Override
    public List<String> schedule(String taskQueue, int count) {
      var stub = Workflow.newUntypedActivityStub(ActivityOptions.newBuilder()
          .setTaskQueue(taskQueue)
          .setScheduleToStartTimeout(Duration.ofMinutes(2))
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          // One try each: a retry would be a second dispatch of the same task.
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build());
      List<Promise<String>> answers = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        answers.add(stub.executeAsync(PROBE_TYPE, Void.class)
            .handle((ok, failure) -> failure == null ? "completed"
                : String.valueOf(failure.getCause() != null ? failure.getCause() : failure)));
      }
      return answers.stream().map(Promise::get).toList();
    }
  }
}
