package dev.relay.api.deliveries;

import dev.relay.api.config.RelayProperties;
import dev.relay.api.problems.ProblemHandler;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.SearchAttributes;
import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import dev.relay.store.delivery.DeliveryRecord;
import dev.relay.store.delivery.DeliveryRepository;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Starts the workflow of an accepted delivery, exactly once. The workflow ID is the delivery ID;
 * {@code USE_EXISTING} makes concurrent starts of a running workflow converge on one run and
 * {@code REJECT_DUPLICATE} keeps a finished one from running again, so calling this any number of
 * times for one delivery starts at most one workflow. Only after Temporal confirms is the row
 * marked started; until then the {@link DeliveryStarter} keeps trying.
 *
 * <p>It also paces starts while Temporal cannot be reached: after an unreachable answer it is
 * {@link #paused()} for a backoff that doubles while the outage lasts, and callers leave their
 * rows to the sweeper instead of piling more calls on a server that is down.
 */
@Component
public class WorkflowStarter {
  private static final Logger log = LoggerFactory.getLogger(WorkflowStarter.class);

  private final WorkflowClient client;
  private final DeliveryRepository deliveries;
  private final RelayProperties properties;
  private final Object pacing = new Object();
  private long pausedUntilNanos = System.nanoTime();
  private Duration backoff = Duration.ZERO;

  public WorkflowStarter(WorkflowClient client, DeliveryRepository deliveries,
      RelayProperties properties) {
    this.client = client;
    this.deliveries = deliveries;
    this.properties = properties;
  }

  /** What one start attempt came to. */
  public enum Outcome {
    /** Temporal confirmed the workflow (new, already running, or already finished). */
    STARTED,
    /** Temporal could not be reached or did not answer: try again later. */
    UNAVAILABLE,
    /** Temporal answered with an error, or the stored request is unusable: an operator must look. */
    FAILED
  }

  /** Whether starts should wait: Temporal was unreachable a moment ago. */
  public boolean paused() {
    synchronized (pacing) {
      return System.nanoTime() - pausedUntilNanos < 0;
    }
  }

  private void reachable() {
    synchronized (pacing) {
      backoff = Duration.ZERO;
    }
  }

  private void unreachable() {
    RelayProperties.Starter knobs = properties.starter();
    synchronized (pacing) {
      long now = System.nanoTime();
      if (now - pausedUntilNanos < 0) {
        return; // several in-flight starts failing together count as one failure
      }
      backoff = backoff.isZero() ? knobs.backoff() : backoff.multipliedBy(2);
      if (backoff.compareTo(knobs.maxBackoff()) > 0) {
        backoff = knobs.maxBackoff();
      }
      pausedUntilNanos = now + backoff.toNanos();
      log.warn("Temporal is unreachable; workflow starts pause for {}", backoff);
    }
  }

  /** Starts (or finds) the workflow on the calling thread. Never throws. */
  public Outcome start(DeliveryRecord record) {
    if (record.requestJson() == null) {
      // The recipient was erased (their data key destroyed) before the workflow started: the
      // request can never be read again, so the delivery ends here instead of being retried.
      log.warn("delivery {} cannot start: its request was erased with the recipient's data; "
          + "marked REJECTED", record.id());
      deliveries.rejectErased(record.id());
      return Outcome.FAILED;
    }
    DeliveryRequest input;
    try {
      input = input(record);
    } catch (RuntimeException e) {
      log.error("the stored request of delivery {} cannot be turned into workflow input", record.id(), e);
      return Outcome.FAILED;
    }
    try {
      DeliveryWorkflow stub = client.newWorkflowStub(DeliveryWorkflow.class, options(record, input));
      WorkflowClient.start(stub::deliver, input);
    } catch (WorkflowExecutionAlreadyStarted e) {
      // REJECT_DUPLICATE on a closed workflow: it ran already. That is a confirmed start.
      log.debug("workflow of {} already exists", record.id());
    } catch (RuntimeException e) {
      if (ProblemHandler.isUnavailable(e)) {
        log.warn("cannot start the workflow of {} yet: {}", record.id(), e.toString());
        unreachable();
        return Outcome.UNAVAILABLE;
      }
      log.error("Temporal refused to start the workflow of {}", record.id(), e);
      return Outcome.FAILED;
    }
    reachable();
    deliveries.markWorkflowStarted(record.id());
    return Outcome.STARTED;
  }

  /**
   * Everything a start needs is in the row, so the kick and the sweeper start identically. The
   * search attributes are set here, in the start event, because the workflow does not set them
   * itself; an operator can filter a delivery from its first moment.
   */
  WorkflowOptions options(DeliveryRecord record, DeliveryRequest input) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(DeliveryIds.workflowId(record.id()))
        .setTaskQueue(TaskQueues.DELIVERY)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(SearchAttributes.atStart(record.tenantId(),
            record.recipientId(), record.purpose(), firstChannel(input)))
        // What an operator reads in the Web UI's list and header; no variables, no addresses.
        .setStaticSummary("Deliver " + record.templateId() + " to " + record.recipientId()
            + " (" + record.purpose() + ")")
        .setStaticDetails("tenant " + record.tenantId() + ", accepted " + record.createdAt()
            + "\n\nStatus: query `status` or `GET /v1/deliveries/" + record.id() + "`."
            + "\nSupport: updates `retry`, `reroute`, `cancel`, `markDelivered`.")
        .build();
  }

  /** The channel the delivery tries first: the first requested, EMAIL when none was given. */
  static Channel firstChannel(DeliveryRequest input) {
    return input.channels() == null || input.channels().isEmpty()
        ? Channel.EMAIL : input.channels().get(0);
  }

  /** The workflow input, rebuilt from the stored canonical request (so the starter can use it). */
  @SuppressWarnings("unchecked")
  DeliveryRequest input(DeliveryRecord record) {
    Map<String, Object> request = CanonicalJson.readObject(record.requestJson());
    Map<String, Object> variables = (Map<String, Object>) request.get("variables");
    List<String> channelNames = (List<String>) request.get("channels");
    List<Channel> channels = channelNames == null ? null
        : channelNames.stream().map(Channel::valueOf).toList();
    List<String> documentIds = (List<String>) request.get("documentIds");
    Object deadline = request.get("deadline");
    return new DeliveryRequest(record.tenantId(), record.id(), record.recipientId(),
        record.purpose(), record.templateId(), variables, channels, documentIds,
        deadline == null ? null : Instant.parse(deadline.toString()), record.createdAt(),
        properties.delivery().policy());
  }
}
