package dev.relay.bench;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;

/**
 * The minimal Temporal delivery: one workflow that runs exactly one activity, which sends the mail
 * over SMTP. This is the floor any Temporal design of a delivery pays (a start, two workflow tasks,
 * one activity task); Relay's lean path is measured against it.
 */
@WorkflowInterface
public interface MinimalDelivery {
  String TASK_QUEUE = "relay-bench-minimal";

  /** What the activity sends; small, like the references a real delivery's history would carry. */
  record Mail(String to, String subject, String textBody, String htmlBody, String messageId) {}

  @WorkflowMethod
  void deliver(Mail mail);

  @ActivityInterface
  interface Send {
    @ActivityMethod
    void sendEmail(Mail mail);
  }

  class Impl implements MinimalDelivery {
    // Default retry policy, like any plain delivery would have; a happy run makes one attempt.
    private final Send send = Workflow.newActivityStub(Send.class,
        ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());

    @Override
    public void deliver(Mail mail) {
      send.sendEmail(mail);
    }
  }
}
