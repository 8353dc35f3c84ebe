package dev.relay.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.activities.AuditSealActivities;
import dev.relay.contracts.activities.AuditSealReport;
import dev.relay.contracts.workflow.AuditSealWorkflow;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A verifier run: one activity, a small history, a retried blip. */
class AuditSealWorkflowTest {
  TestWorkflowEnvironment env;
  WorkflowClient client;
  final AtomicInteger calls = new AtomicInteger();
  volatile int failFirst;

  class Activities implements AuditSealActivities {
    @Override
    public AuditSealReport verifyAndExport() {
      if (calls.incrementAndGet() <= failFirst) {
        throw ApplicationFailure.newFailure("database unreachable", "STORE_UNAVAILABLE");
      }
      return new AuditSealReport(2, 40, 2, 2,
          List.of("tenant acme, chain_seq 7: row 7 does not match its HMAC"), 0);
    }
  }

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker(TaskQueues.AUDIT);
    worker.registerWorkflowImplementationTypes(AuditSealWorkflowImpl.class);
    worker.registerActivitiesImplementations(new Activities());
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private AuditSealWorkflow stub(String id) {
    return client.newWorkflowStub(AuditSealWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(id).setTaskQueue(TaskQueues.AUDIT)
        .setWorkflowExecutionTimeout(Duration.ofMinutes(30)).build());
  }

  @Test
  void aRunIsOneActivityAndReportsWhatItFound() {
    AuditSealReport report = stub("audit-run-1").run();
    assertThat(report.breaks()).singleElement().asString().contains("chain_seq 7");
    List<HistoryEvent> events = client.fetchHistory("audit-run-1").getHistory().getEventsList();
    assertThat(events.stream().filter(e -> e.getEventType()
        == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).hasSize(1);
    // Runs forever on a schedule: each run stays a short history.
    assertThat(events).hasSizeLessThanOrEqualTo(11);
  }

  @Test
  void aFailingRunIsRetriedWithBackoff() {
    failFirst = 2;
    AuditSealReport report = stub("audit-run-2").run();
    assertThat(calls.get()).isEqualTo(3);
    assertThat(report.tenants()).isEqualTo(2);
  }

  @Test
  void everyOptionIsExplicit() {
    var o = AuditSealWorkflowImpl.options();
    assertThat(o.getStartToCloseTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(o.getScheduleToCloseTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(o.getRetryOptions().getMaximumAttempts()).isEqualTo(4);
  }
}
