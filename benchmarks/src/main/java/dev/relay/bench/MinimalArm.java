package dev.relay.bench;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;

/**
 * The minimal Temporal delivery, started straight on the Temporal server like the API starts a
 * delivery (a client call, no eager start: the API has no worker in its process either). Its worker
 * runs in the benchmark JVM with the Relay worker's slot counts (see DeliveryBenchmark).
 */
final class MinimalArm implements Arm {
  private final WorkflowClient client;
  private final String run;

  MinimalArm(WorkflowClient client, String run) {
    this.client = client;
    this.run = run;
  }

  @Override
  public String name() {
    return "minimal";
  }

  @Override
  public void prepare(String tag, int n) {
    // nothing to set up: the address is in the workflow's input
  }

  @Override
  public String offer(String tag, int i) {
    String key = Mailpit.key(tag, i);
    String workflowId = "bench-min-" + run + "-" + key;
    MinimalDelivery stub = client.newWorkflowStub(MinimalDelivery.class, WorkflowOptions.newBuilder()
        .setTaskQueue(MinimalDelivery.TASK_QUEUE)
        .setWorkflowId(workflowId)
        .setDisableEagerExecution(true)
        .build());
    MinimalDelivery.Mail mail = new MinimalDelivery.Mail(
        "p" + (i % 64) + "@" + Mailpit.domain(run, tag),
        "Minimal bench " + run + " #" + key,
        "Benchmark delivery " + key + " of run " + run + ".",
        "<p>Benchmark delivery <b>" + key + "</b> of run " + run + ".</p>",
        "<" + workflowId + "@relay.bench.test>");
    WorkflowClient.start(stub::deliver, mail);
    return workflowId;
  }

  @Override
  public String workflowId(String offerId) {
    return offerId;
  }
}
