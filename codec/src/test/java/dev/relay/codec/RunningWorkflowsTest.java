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
import io.temporal.worker.WorkerFactory;
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
 * Switching encryption on under running workflows: a workflow started and run by a plain worker
 * is picked up by a worker with the sealed converter (a fresh process: it replays the plain
 * history), takes a sealed signal and finishes with its plain input intact.
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

  final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();

  @AfterEach
  void close() {
    env.close();
  }

  @Test
  void aWorkflowStartedInClearFinishesAfterEncryptionIsSwitchedOn() {
    WorkflowClient plain = env.getWorkflowClient();
    WorkerFactory plainWorkers = WorkerFactory.newInstance(plain);
    plainWorkers.newWorker(QUEUE).registerWorkflowImplementationTypes(CollectorImpl.class);
    plainWorkers.start();
    Collector started = plain.newWorkflowStub(Collector.class, WorkflowOptions.newBuilder()
        .setWorkflowId("switch-1").setTaskQueue(QUEUE).build());
    WorkflowClient.start(started::collect, "ada@example.test");
    // The plain worker has run the first workflow task (the workflow now waits).
    awaitEvent(plain, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    plainWorkers.shutdownNow();
    plainWorkers.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);

    DataConverter converter = SealedDataConverter.create(new Keyring(List.of(TestKeys.key("k1"))));
    WorkflowClient sealed = WorkflowClient.newInstance(env.getWorkflowServiceStubs(),
        WorkflowClientOptions.newBuilder().setNamespace(env.getNamespace())
            .setDataConverter(converter).build());
    WorkerFactory sealedWorkers = WorkerFactory.newInstance(sealed);
    sealedWorkers.newWorker(QUEUE).registerWorkflowImplementationTypes(CollectorImpl.class);
    sealedWorkers.start();
    try {
      Collector running = sealed.newWorkflowStub(Collector.class, "switch-1");
      running.add("second");
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
    } finally {
      sealedWorkers.shutdownNow();
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
