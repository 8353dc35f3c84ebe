package dev.relay.api.deliveries;

import dev.relay.api.config.RelayProperties;
import dev.relay.api.problems.ProblemHandler;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Starts the workflow of an accepted delivery, exactly once. The workflow ID is the delivery ID;
 * {@code USE_EXISTING} makes concurrent starts of a running workflow converge on one run and
 * {@code REJECT_DUPLICATE} keeps a finished one from running again, so calling this any number of
 * times for one delivery starts at most one workflow. Only after Temporal confirms is the row
 * marked started; until then the {@link DeliveryStarter} keeps trying.
 */
@Component
public class WorkflowStarter implements DisposableBean {
  private static final Logger log = LoggerFactory.getLogger(WorkflowStarter.class);

  private final WorkflowClient client;
  private final DeliveryRepository deliveries;
  private final RelayProperties properties;
  private final ExecutorService executor;

  public WorkflowStarter(WorkflowClient client, DeliveryRepository deliveries,
      RelayProperties properties) {
    this.client = client;
    this.deliveries = deliveries;
    this.properties = properties;
    this.executor = new ThreadPoolExecutor(4, 32, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(1000), new CustomizableThreadFactory("workflow-start-"));
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

  /**
   * Starts the delivery's workflow, waiting at most {@code timeout}. Returns whether Temporal
   * confirmed it; false leaves the delivery to the background starter (a start still in flight
   * finishes on its own and marks the row).
   */
  public boolean startWithin(DeliveryRecord record, Duration timeout) {
    Future<Outcome> future;
    try {
      future = executor.submit(() -> start(record));
    } catch (RejectedExecutionException e) {
      log.warn("start queue full; delivery {} is left to the background starter", record.id());
      return false;
    }
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS) == Outcome.STARTED;
    } catch (TimeoutException e) {
      log.warn("Temporal did not confirm the start of {} within {}; the background starter will",
          record.id(), timeout);
      return false;
    } catch (ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Starts (or finds) the workflow on the calling thread. Never throws. */
  public Outcome start(DeliveryRecord record) {
    DeliveryRequest input;
    try {
      input = input(record);
    } catch (RuntimeException e) {
      log.error("the stored request of delivery {} cannot be turned into workflow input", record.id(), e);
      return Outcome.FAILED;
    }
    try {
      DeliveryWorkflow stub = client.newWorkflowStub(DeliveryWorkflow.class, options(record));
      WorkflowClient.start(stub::deliver, input);
    } catch (WorkflowExecutionAlreadyStarted e) {
      // REJECT_DUPLICATE on a closed workflow: it ran already. That is a confirmed start.
      log.debug("workflow of {} already exists", record.id());
    } catch (RuntimeException e) {
      if (ProblemHandler.isUnavailable(e)) {
        log.warn("cannot start the workflow of {} yet: {}", record.id(), e.toString());
        return Outcome.UNAVAILABLE;
      }
      log.error("Temporal refused to start the workflow of {}", record.id(), e);
      return Outcome.FAILED;
    }
    deliveries.markWorkflowStarted(record.id());
    return Outcome.STARTED;
  }

  WorkflowOptions options(DeliveryRecord record) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(DeliveryIds.workflowId(record.id()))
        .setTaskQueue(TaskQueues.DELIVERY)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(io.temporal.common.SearchAttributes.newBuilder()
            .set(SearchAttributes.TENANT, record.tenantId())
            .set(SearchAttributes.RECIPIENT_ID, record.recipientId())
            .set(SearchAttributes.PURPOSE, record.purpose())
            .set(SearchAttributes.DELIVERY_STATUS, DeliveryStatus.ACCEPTED.name())
            .build())
        // What an operator reads in the Web UI's list and header; no variables, no addresses.
        .setStaticSummary("Deliver " + record.templateId() + " to " + record.recipientId()
            + " (" + record.purpose() + ")")
        .setStaticDetails("tenant " + record.tenantId() + ", accepted " + record.createdAt()
            + "\n\nStatus: query `status` or `GET /v1/deliveries/" + record.id() + "`."
            + "\nSupport: updates `retry`, `reroute`, `cancel`, `markDelivered`.")
        .build();
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

  @Override
  public void destroy() {
    executor.shutdownNow();
  }
}
