package dev.relay.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.converter.DataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Switching encryption on under running workflows: a workflow started by a client without the
 * codec (its input in clear in the history) runs on a worker with the sealed converter, takes a
 * sealed signal and finishes with its plain input intact; the mixed history replays.
 */
class RunningWorkflowsTest {
  static final String QUEUE = "codec-switch";

  @WorkflowInterface
  public interface Collector {
    @WorkflowMethod
    String collect(String first);

    @SignalMethod
    void add(String item);
  }

  public static class CollectorImpl implements Collector {
    private final List<String> items = new ArrayList<>();

    @Override
    public String collect(String first) {
      items.add(first);
      Workflow.await(() -> items.size() >= 2);
      return String.join("+", items);
    }

    @Override
    public void add(String item) {
      items.add(item);
    }
  }

  final DataConverter converter =
      SealedDataConverter.create(new Keyring(List.of(TestKeys.key("k1"))));
  /** The new deployment: client and worker with the sealed converter. */
  final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(
      io.temporal.testing.TestEnvironmentOptions.newBuilder()
          .setUseTimeskipping(false)
          .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
              .setDataConverter(converter).build())
          .build());

  @AfterEach
  void close() {
    env.close();
  }

  @Test
  void aWorkflowStartedInClearFinishesAfterEncryptionIsSwitchedOn() throws Exception {
    // Started before the switch: by a client without the codec, its input stored in clear.
    WorkflowClient plain = WorkflowClient.newInstance(env.getWorkflowServiceStubs(),
        WorkflowClientOptions.newBuilder().setNamespace(env.getNamespace()).build());
    Collector started = plain.newWorkflowStub(Collector.class, WorkflowOptions.newBuilder()
        .setWorkflowId("switch-1").setTaskQueue(QUEUE).build());
    WorkflowClient.start(started::collect, "ada@example.test");

    // After the switch: a worker with the sealed converter reads the plain history, a sealed
    // signal arrives, and the workflow finishes with its plain input intact.
    env.newWorker(QUEUE).registerWorkflowImplementationTypes(CollectorImpl.class);
    env.start();
    WorkflowClient sealed = env.getWorkflowClient();
    awaitEvent(sealed, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    sealed.newWorkflowStub(Collector.class, "switch-1").add("second");
    String result = sealed.newUntypedWorkflowStub("switch-1")
        .getResult(30, java.util.concurrent.TimeUnit.SECONDS, String.class);
    assertThat(result).isEqualTo("ada@example.test+second");

    List<HistoryEvent> history = sealed.fetchHistory("switch-1").getEvents();
    Payload input = history.get(0).getWorkflowExecutionStartedEventAttributes().getInput()
        .getPayloads(0);
    assertThat(SealedPayloadCodec.isSealed(input)).as("the input from before").isFalse();
    Payload signal = history.stream().filter(HistoryEvent::hasWorkflowExecutionSignaledEventAttributes)
        .findFirst().orElseThrow().getWorkflowExecutionSignaledEventAttributes().getInput()
        .getPayloads(0);
    assertThat(SealedPayloadCodec.isSealed(signal)).as("the signal after").isTrue();
    Payload output = history.stream()
        .filter(HistoryEvent::hasWorkflowExecutionCompletedEventAttributes).findFirst()
        .orElseThrow().getWorkflowExecutionCompletedEventAttributes().getResult().getPayloads(0);
    assertThat(SealedPayloadCodec.isSealed(output)).as("the result").isTrue();

    // A fresh process (no cache) replays the mixed history with the sealed converter.
    try (TestWorkflowEnvironment replay = TestWorkflowEnvironment.newInstance(
        io.temporal.testing.TestEnvironmentOptions.newBuilder()
            .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
                .setDataConverter(converter).build())
            .build())) {
      io.temporal.testing.WorkflowReplayer.replayWorkflowExecution(
          sealed.fetchHistory("switch-1"), replay, CollectorImpl.class);
    }
  }

  private static void awaitEvent(WorkflowClient client, EventType type) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (client.fetchHistory("switch-1").getEvents().stream().anyMatch(e -> e.getEventType() == type)) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new AssertionError("no " + type + " in 30 s");
  }
}
