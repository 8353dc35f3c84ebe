package dev.relay.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.activities.CodeDispatch;
import dev.relay.contracts.activities.ContactVerificationActivities;
import dev.relay.contracts.activities.VerificationSend;
import dev.relay.contracts.workflow.ContactVerificationWorkflow;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Texting a verification code: one activity on the SMS send queue, bounded retries. */
class ContactVerificationWorkflowTest {
  TestWorkflowEnvironment env;
  WorkflowClient client;
  final AtomicInteger calls = new AtomicInteger();
  volatile int failFirst;
  volatile DeliveryErrorType refusal;

  class Activities implements ContactVerificationActivities {
    @Override
    public CodeDispatch sendVerificationCode(VerificationSend request) {
      calls.incrementAndGet();
      if (refusal != null) {
        throw refusal.failure("refused by the SMS guard");
      }
      if (calls.get() <= failFirst) {
        throw DeliveryErrorType.PROVIDER_UNAVAILABLE.failure("Twilio answered HTTP 503");
      }
      return new CodeDispatch(request.verificationId(), "SENT");
    }
  }

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    env.newWorker(TaskQueues.DELIVERY)
        .registerWorkflowImplementationTypes(ContactVerificationWorkflowImpl.class);
    env.newWorker(TaskQueues.SMS_SENDS).registerActivitiesImplementations(new Activities());
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private CodeDispatch run(String verificationId) {
    return client.newWorkflowStub(ContactVerificationWorkflow.class, WorkflowOptions.newBuilder()
            .setWorkflowId(ContactVerificationWorkflow.workflowId(verificationId))
            .setTaskQueue(TaskQueues.DELIVERY).build())
        .sendCode(new VerificationSend("acme", verificationId));
  }

  @Test
  void oneActivityOnTheSmsQueueAndAShortHistory() {
    assertThat(run("ver-1").outcome()).isEqualTo("SENT");
    List<HistoryEvent> events = client.fetchHistory(ContactVerificationWorkflow.workflowId("ver-1"))
        .getHistory().getEventsList();
    List<HistoryEvent> scheduled = events.stream().filter(e -> e.getEventType()
        == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).toList();
    assertThat(scheduled).singleElement().satisfies(e -> assertThat(
        e.getActivityTaskScheduledEventAttributes().getTaskQueue().getName())
        .isEqualTo(TaskQueues.SMS_SENDS));
    assertThat(events).hasSizeLessThanOrEqualTo(11);
  }

  @Test
  void aProviderBlipIsRetriedAndARefusalIsNot() {
    failFirst = 2;
    assertThat(run("ver-2").outcome()).isEqualTo("SENT");
    assertThat(calls.get()).isEqualTo(3);

    calls.set(0);
    refusal = DeliveryErrorType.SMS_PAUSED;
    assertThatThrownBy(() -> run("ver-3")).isInstanceOf(WorkflowFailedException.class)
        .cause().isInstanceOf(ActivityFailure.class)
        .cause().isInstanceOfSatisfying(ApplicationFailure.class,
            f -> assertThat(f.getType()).isEqualTo("SMS_PAUSED"));
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void everyOptionIsExplicitAndBounded() {
    var o = ContactVerificationWorkflowImpl.options();
    assertThat(o.getTaskQueue()).isEqualTo(TaskQueues.SMS_SENDS);
    assertThat(o.getStartToCloseTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.getScheduleToCloseTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(o.getRetryOptions().getMaximumAttempts()).isEqualTo(6);
    assertThat(o.getRetryOptions().getDoNotRetry()).contains("SMS_PAUSED",
        "SMS_VELOCITY_EXCEEDED", "SMS_DESTINATION_REFUSED", "VERIFICATION_NOT_FOUND");
  }
}
