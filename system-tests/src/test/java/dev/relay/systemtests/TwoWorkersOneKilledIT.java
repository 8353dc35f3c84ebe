package dev.relay.systemtests;

import static dev.relay.systemtests.Deliveries.accept;
import static dev.relay.systemtests.Deliveries.audit;
import static dev.relay.systemtests.Deliveries.awaitStatus;
import static dev.relay.systemtests.Deliveries.describe;
import static dev.relay.systemtests.Deliveries.events;
import static dev.relay.systemtests.Deliveries.recipient;
import static dev.relay.systemtests.Deliveries.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.contracts.DeliveryIds;
import dev.relay.systemtests.client.RelayApi;
import dev.relay.systemtests.stack.ManagedProcess;
import dev.relay.systemtests.stack.Poll;
import dev.relay.systemtests.stack.RelayProcess;
import dev.relay.systemtests.stack.RelayStack;
import dev.relay.systemtests.stack.SmtpFaults.Fault;
import dev.relay.systemtests.stack.StackExtension;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two worker processes poll the same task queues (the delivery queue and both send queues); one
 * is killed with SIGKILL while it runs one of a burst's activities (sends are slowed down, so it
 * has sends in flight too), and never comes back.
 * The other one finishes the burst: every accepted delivery ends DELIVERED, none is lost, and each
 * recipient gets its mail (one Message-ID) or SMS once.
 *
 * <p>Passes whichever queue the workflow sends on (the delivery queue, or the channel's send
 * queue): both workers poll all of them.
 */
class TwoWorkersOneKilledIT {
  private static final Logger log = LoggerFactory.getLogger(TwoWorkersOneKilledIT.class);

  @RegisterExtension
  static final StackExtension STACK = new StackExtension()
      .options(new RelayStack.Options(false, false, true).withWorkers(2));

  static final int EMAILS = 44;
  static final int SMS = 8;

  @Test
  void theSurvivorDeliversEveryAcceptedDeliveryOnce() {
    RelayStack stack = STACK.stack();
    RelayProcess survivor = stack.workers().get(0);
    RelayProcess victim = stack.workers().get(1);
    RelayApi client = stack.client();
    client.putTemplate("notice", "Notice {{n}}", "Notice {{n}} is ready.", null,
        "Notice {{n}} is ready.").expect(200, 201);

    List<String> addresses = new ArrayList<>();
    List<String> phones = new ArrayList<>();
    List<Map<String, Object>> bodies = new ArrayList<>();
    for (int i = 1; i <= EMAILS; i++) {
      String r = "pair-mail-%02d".formatted(i);
      addresses.add(r + "@pair.example.test");
      recipient(client, r, r + "@pair.example.test", null, "notices", Map.of("EMAIL", true));
      bodies.add(request(r, "notices", "notice", Map.of("n", i), null, null));
    }
    for (int i = 1; i <= SMS; i++) {
      String r = "pair-sms-%02d".formatted(i);
      String phone = "+1555070%04d".formatted(i);
      phones.add(phone);
      recipient(client, r, null, phone, "notices", Map.of("SMS", true));
      bodies.add(request(r, "notices", "notice", Map.of("n", "S" + i), List.of("SMS"), null));
    }

    // Slow SMTP replies (each send takes a couple of seconds) keep sends in flight on both
    // workers, so the kill below lands in the middle of sends, not between them.
    stack.smtpFaults().fault(Fault.SLOW_REPLIES);
    List<String> deliveries = new ArrayList<>();
    for (int i = 0; i < bodies.size(); i++) {
      deliveries.add(accept(client, "pair-key-%02d".formatted(i + 1), bodies.get(i)));
    }

    // Kill the victim as soon as Temporal shows it running one of the burst's activities.
    String victimIdentity = identity(victim.process());
    String running = Poll.until("an activity started by the second worker (" + victimIdentity
            + ")", Duration.ofSeconds(90), Duration.ofMillis(20),
        () -> startedBy(stack.workflowClient(), deliveries, victimIdentity),
        Optional::isPresent).orElseThrow();
    victim.kill9();
    long unfinished = deliveries.stream()
        .filter(id -> !Deliveries.FINAL.contains(Deliveries.status(client, id))).count();
    log.info("kill -9 of {} while it ran {}; {} messages out, {} of {} deliveries unfinished",
        victimIdentity, running, sent(stack), unfinished, deliveries.size());
    assertThat(unfinished).as("deliveries in flight at the kill").isPositive();
    stack.smtpFaults().ok();

    for (String id : deliveries) {
      awaitStatus(client, id, Duration.ofSeconds(180), "DELIVERED");
    }
    assertThat(victim.isAlive()).as("the killed worker stayed down").isFalse();
    assertThat(survivor.isAlive()).isTrue();

    List<ManagedProcess> workerLogs = List.of(survivor.process(), victim.process());
    int resends = ExactlyOnce.assertOneMailEach(stack.smtp(), workerLogs, addresses);
    for (String phone : phones) {
      assertThat(stack.twilio().messagesTo(phone)).as("SMS to %s", phone).hasSize(1);
    }
    for (String id : deliveries) {
      List<JsonNode> trail = audit(client, id);
      assertThat(events(trail, "send", "accepted")).as("accepted sends of %s:%s", id,
          describe(trail)).hasSize(1);
    }
    assertThat(stack.workflowClient().countWorkflows("WorkflowType = 'DeliveryWorkflow'")
        .getCount()).as("delivery workflows").isEqualTo(EMAILS + SMS);
    log.info("all {} deliveries DELIVERED by the survivor; same-Message-ID resends: {}",
        deliveries.size(), resends);
  }

  /** The Java SDK's default worker identity: the JVM's {@code pid@hostname}. */
  private static String identity(ManagedProcess process) {
    return process.pid() + "@";
  }

  /** An activity of one of {@code deliveries} that the worker {@code identity} is running now. */
  private static Optional<String> startedBy(WorkflowClient temporal, List<String> deliveries,
      String identity) {
    for (String id : deliveries) {
      var response = temporal.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
          DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(temporal.getOptions().getNamespace())
              .setExecution(WorkflowExecution.newBuilder()
                  .setWorkflowId(DeliveryIds.workflowId(id)))
              .build());
      for (PendingActivityInfo activity : response.getPendingActivitiesList()) {
        if (activity.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
            && activity.getLastWorkerIdentity().startsWith(identity)) {
          return Optional.of(activity.getActivityType().getName() + " of " + id);
        }
      }
    }
    return Optional.empty();
  }

  private static int sent(RelayStack stack) {
    return stack.smtp().all().size() + stack.twilio().messages().size();
  }
}
