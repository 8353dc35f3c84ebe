package dev.relay.activities.retries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.contracts.DeliveryErrorType;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.ConnectionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BoundedUnexpectedFailuresTest {
  private static final String QUEUE = "bounded-failures";

  @ActivityInterface
  public interface Flaky {
    @ActivityMethod
    String run(String mode);
  }

  @WorkflowInterface
  public interface Caller {
    @WorkflowMethod
    String call(String mode);
  }

  /** Retries like Relay's own activities: without limit. */
  public static class CallerImpl implements Caller {
    private final Flaky flaky = Workflow.newActivityStub(Flaky.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(5))
        .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(10))
            .setBackoffCoefficient(1.0).setMaximumAttempts(0).build())
        .build());

    @Override
    public String call(String mode) {
      return flaky.run(mode);
    }
  }

  static final class FlakyImpl implements Flaky {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String run(String mode) {
      int n = calls.incrementAndGet();
      switch (mode) {
        case "bug" -> throw new UnsupportedOperationException("Template loading not configured");
        case "database-down" -> {
          if (n <= 15) {
            throw new ConnectionException(
                new SQLTransientConnectionException("Connection is not available"));
          }
          return "done after " + n;
        }
        default -> {
          if (n <= 3) {
            throw new IllegalStateException("glitch " + n);
          }
          return "done after " + n;
        }
      }
    }
  }

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private final FlakyImpl flaky = new FlakyImpl();

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance(io.temporal.testing.TestEnvironmentOptions.newBuilder()
        .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder()
            .setWorkerInterceptors(new BoundedUnexpectedFailures()).build())
        .build());
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(CallerImpl.class);
    worker.registerActivitiesImplementations(flaky);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private String call(String mode) {
    return client.newWorkflowStub(Caller.class,
        WorkflowOptions.newBuilder().setTaskQueue(QUEUE).build()).call(mode);
  }

  @Test
  void anUnclassifiedErrorStopsAfterTheCapAsAPermanentTypedFailure() {
    assertThatThrownBy(() -> call("bug"))
        .isInstanceOf(WorkflowFailedException.class)
        .cause().isInstanceOf(ActivityFailure.class)
        .cause().isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.getType()).isEqualTo(DeliveryErrorType.UNEXPECTED.name());
          assertThat(f.isNonRetryable()).isTrue();
          assertThat(f.getOriginalMessage()).contains("Template loading not configured");
        });
    assertThat(flaky.calls.get()).isEqualTo(BoundedUnexpectedFailures.MAX_ATTEMPTS);
  }

  @Test
  void aDatabaseOutageIsWaitedOutPastTheCap() {
    assertThat(call("database-down")).isEqualTo("done after 16");
  }

  @Test
  void aTransientGlitchStillGetsItsRetries() {
    assertThat(call("glitch")).isEqualTo("done after 4");
  }
}
