package dev.relay.workflows;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.SearchAttributes;
import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.workflow.DeliveryPolicy;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryView;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import dev.relay.contracts.workflow.ProviderReceipt;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkflowImplementationOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A time-skipping test environment with the delivery workflow and {@link FakeActivities} on the
 * delivery task queue, plus the helpers the tests share.
 */
final class DeliveryTestEnv implements AutoCloseable {

  static final String TENANT = "acme";
  static final Instant RECEIVED_AT = Instant.parse("2026-11-02T09:00:00Z");

  final TestWorkflowEnvironment env;
  final WorkflowClient client;
  final FakeActivities fake = new FakeActivities();

  DeliveryTestEnv() {
    this(new NoopScope());
  }

  DeliveryTestEnv(Scope metricsScope) {
    this(metricsScope, WorkerFactoryOptions.getDefaultInstance());
  }

  /**
   * @param metricsScope where the workflow's metrics go (the worker passes its Micrometer one)
   * @param factoryOptions e.g. a workflow cache of 0, so every workflow task replays the history
   */
  DeliveryTestEnv(Scope metricsScope, WorkerFactoryOptions factoryOptions) {
    // A fixed identity keeps recorded histories free of the host's pid@hostname.
    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder().setIdentity("relay-test").build())
        .setMetricsScope(metricsScope)
        .setWorkerFactoryOptions(factoryOptions)
        .build());
    for (SearchAttributeKey<String> key : SearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    // A loaded build machine can take more than the default 1 s to load classes in the first
    // workflow task: that is not a deadlock, and replays in DeliveryReplayTest keep the default.
    Worker worker = env.newWorker(TaskQueues.DELIVERY, WorkerOptions.newBuilder()
        .setDefaultDeadlockDetectionTimeout(10_000)
        .build());
    // Any exception out of workflow code fails the workflow, so a bug fails the test at once
    // instead of retrying workflow tasks until the test times out.
    worker.registerWorkflowImplementationTypes(
        WorkflowImplementationOptions.newBuilder()
            .setFailWorkflowExceptionTypes(Throwable.class)
            .build(),
        DeliveryWorkflowImpl.class);
    worker.registerActivitiesImplementations(fake);
    // Lean sends run on the channel's own queue.
    env.newWorker(TaskQueues.EMAIL_SENDS).registerActivitiesImplementations(fake);
    env.newWorker(TaskQueues.SMS_SENDS).registerActivitiesImplementations(fake);
    fake.clock(this::now);
    env.start();
    client = env.getWorkflowClient();
  }

  DeliveryRequest request(String idempotencyKey, Channel... channels) {
    return request(idempotencyKey, null, channels);
  }

  DeliveryRequest request(String idempotencyKey, Instant deadline, Channel... channels) {
    return request(idempotencyKey, deadline, DeliveryPolicy.defaults(), channels);
  }

  DeliveryRequest request(String idempotencyKey, Instant deadline, DeliveryPolicy policy,
      Channel... channels) {
    return new DeliveryRequest(TENANT, DeliveryIds.deliveryId(TENANT, idempotencyKey), "rcp-42",
        "legal-notice", "tpl-notice", Map.of("name", "Ada"), List.of(channels), List.of("doc-1"),
        deadline, Instant.ofEpochMilli(env.currentTimeMillis()), policy);
  }

  /** Test time now. */
  Instant now() {
    return Instant.ofEpochMilli(env.currentTimeMillis());
  }

  DeliveryWorkflow start(DeliveryRequest request) {
    DeliveryWorkflow workflow = client.newWorkflowStub(DeliveryWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(TaskQueues.DELIVERY)
            .setWorkflowId(DeliveryIds.workflowId(request.deliveryId()))
            .build());
    WorkflowClient.start(workflow::deliver, request);
    return workflow;
  }

  /** Starts it as the API does: with the search attributes a delivery starts with. */
  DeliveryWorkflow startAsApi(DeliveryRequest request) {
    DeliveryWorkflow workflow = client.newWorkflowStub(DeliveryWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(TaskQueues.DELIVERY)
            .setWorkflowId(DeliveryIds.workflowId(request.deliveryId()))
            .setTypedSearchAttributes(SearchAttributes.atStart(request.tenantId(),
                request.recipientId(), request.purpose(), request.channels().get(0)))
            .build());
    WorkflowClient.start(workflow::deliver, request);
    return workflow;
  }

  /** The delivery's history as the server keeps it. */
  io.temporal.common.WorkflowExecutionHistory history(DeliveryRequest request) {
    return client.fetchHistory(DeliveryIds.workflowId(request.deliveryId()));
  }

  DeliveryWorkflow stub(String deliveryId) {
    return client.newWorkflowStub(DeliveryWorkflow.class, DeliveryIds.workflowId(deliveryId));
  }

  DeliveryView result(DeliveryWorkflow workflow) {
    return WorkflowStub.fromTyped(workflow).getResult(DeliveryView.class);
  }

  /**
   * Lets test time run (skipping) for a few minutes: long enough for every backoff, shorter than
   * the 15-minute receipt timeout. Returns once the workflow waits for a signal or an update.
   */
  void settle() {
    env.sleep(Duration.ofMinutes(5));
  }

  String searchStatus(DeliveryWorkflow workflow) {
    return WorkflowStub.fromTyped(workflow).describe().getTypedSearchAttributes()
        .get(SearchAttributes.DELIVERY_STATUS);
  }

  String searchAttribute(DeliveryWorkflow workflow, SearchAttributeKey<String> key) {
    return WorkflowStub.fromTyped(workflow).describe().getTypedSearchAttributes().get(key);
  }

  /** Signals a receipt for the SMS of a send key, from any thread (also from inside an activity). */
  void receipt(String deliveryId, String sendKey, String status, String errorCode) {
    stub(deliveryId).receipt(new ProviderReceipt(
        FakeActivities.messageId(Channel.SMS, sendKey), status, errorCode, RECEIVED_AT));
  }

  /** Makes every SMS "delivered" before its send activity even returns. */
  void smsDeliveredImmediately() {
    fake.beforeSmsReturns(send -> receipt(send.deliveryId(), send.sendKey(), "delivered", null));
  }

  @Override
  public void close() {
    env.close();
  }
}
