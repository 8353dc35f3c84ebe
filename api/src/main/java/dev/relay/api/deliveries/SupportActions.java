package dev.relay.api.deliveries;

import dev.relay.api.config.RelayProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.api.problems.ProblemHandler;
import dev.relay.api.problems.ProblemType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.workflow.DeliveryView;
import dev.relay.contracts.workflow.SupportAction;
import dev.relay.store.delivery.DeliveryRecord;
import dev.relay.store.tenant.ApiKeyPrincipal;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.failure.TemporalFailure;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Service;

/**
 * Support actions, sent to the delivery's workflow as Temporal Updates. The workflow's validators
 * decide whether an action makes sense now; a rejection is a 409 carrying the validator's message.
 */
@Service
public class SupportActions implements DisposableBean {
  private static final Logger log = LoggerFactory.getLogger(SupportActions.class);

  private final DeliveryService deliveries;
  private final WorkflowClient client;
  private final RelayProperties properties;
  /** Bounded: a burst of actions while Temporal hangs is refused (503), not queued forever. */
  private final ExecutorService executor = new ThreadPoolExecutor(0, 64, 60, TimeUnit.SECONDS,
      new SynchronousQueue<>(), new CustomizableThreadFactory("support-action-"));

  public SupportActions(DeliveryService deliveries, WorkflowClient client, RelayProperties properties) {
    this.deliveries = deliveries;
    this.client = client;
    this.properties = properties;
  }

  /**
   * @param idempotencyKey optional: the same key sends the same Temporal update ID, so a retried
   *     request does not apply the action twice
   */
  public DeliveryViews.ActionResult act(ApiKeyPrincipal caller, String deliveryId,
      ActionRequest body, String idempotencyKey) {
    Checks checks = new Checks();
    if (idempotencyKey != null && !Ids.IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
      checks.add(Ids.IDEMPOTENCY_KEY_HEADER, "must be " + Ids.IDEMPOTENCY_KEY_DESCRIPTION);
    }
    ActionRequest.Valid action = body.validate(checks);
    checks.throwIfAny();

    DeliveryRecord record = deliveries.get(caller, deliveryId);
    DeliveryStatus status = DeliveryStatus.valueOf(record.status());
    if (status.isFinal()) {
      throw new ApiProblem(ProblemType.INVALID_STATE, "The delivery is " + status
          + ", a final state: " + action.action() + " does not apply");
    }
    if (!record.workflowStarted()) {
      // Accepted while Temporal was unreachable: the starter has not got it running yet.
      throw ApiProblem.unavailable("The delivery's workflow has not started yet; try again shortly", 5);
    }
    String updateId = idempotencyKey == null
        ? "action-" + UUID.randomUUID()
        : "action-" + DeliveryIds.sha256Hex(caller.tenantId() + "\n" + deliveryId + "\n" + idempotencyKey).substring(0, 32);
    SupportAction payload = new SupportAction(caller.name(), action.reason(), action.channel(),
        action.evidence());
    WorkflowStub stub = client.newUntypedWorkflowStub(DeliveryIds.workflowId(deliveryId));
    UpdateOptions<DeliveryView> options = UpdateOptions.newBuilder(DeliveryView.class)
        .setUpdateName(action.action().updateName())
        .setUpdateId(updateId)
        .setWaitForStage(WorkflowUpdateStage.COMPLETED)
        .build();

    DeliveryView view;
    CompletableFuture<DeliveryView> call;
    try {
      call = CompletableFuture.supplyAsync(
          () -> stub.startUpdate(options, payload).getResult(), executor);
    } catch (RejectedExecutionException e) {
      throw ApiProblem.unavailable("Too many support actions in flight; try again shortly", 5);
    }
    try {
      view = call.get(properties.temporal().actionTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new ApiProblem(ProblemType.TIMEOUT, "The workflow did not answer within "
          + properties.temporal().actionTimeout() + "; the action may still be applied. "
          + "Check GET /v1/deliveries/" + deliveryId
          + " or retry with the same Idempotency-Key");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiProblem.unavailable("Interrupted while waiting for the workflow", 1);
    } catch (ExecutionException e) {
      throw translate(e.getCause(), record, action);
    }
    log.info("{} by {} on {} → {}", action.action(), caller.name(), deliveryId, view.status());
    return new DeliveryViews.ActionResult(deliveryId, action.action().name(),
        view.status() == null ? null : view.status().name(),
        view.channel() == null ? null : view.channel().name(), view.attempts(), view.reason());
  }

  private static RuntimeException translate(Throwable failure, DeliveryRecord record,
      ActionRequest.Valid action) {
    if (failure instanceof WorkflowUpdateException rejected) {
      return new ApiProblem(ProblemType.INVALID_STATE, rejectionMessage(rejected, action));
    }
    if (failure instanceof WorkflowNotFoundException) {
      return record.workflowStarted()
          ? new ApiProblem(ProblemType.INVALID_STATE,
              "The delivery's workflow has ended: " + action.action() + " does not apply")
          : ApiProblem.unavailable("The delivery's workflow has not started yet; try again shortly", 5);
    }
    if (failure instanceof WorkflowServiceException || ProblemHandler.isUnavailable(failure)) {
      return ApiProblem.unavailable("The workflow service is unavailable; try again later", 5);
    }
    if (failure instanceof RuntimeException re) {
      return re;
    }
    return new IllegalStateException(failure);
  }

  private static String rejectionMessage(WorkflowUpdateException e, ActionRequest.Valid action) {
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      if (c instanceof TemporalFailure tf && tf.getOriginalMessage() != null
          && !tf.getOriginalMessage().isBlank()) {
        return tf.getOriginalMessage();
      }
    }
    return action.action() + " is not valid in the delivery's current state";
  }

  @Override
  public void destroy() {
    executor.shutdownNow();
  }
}
