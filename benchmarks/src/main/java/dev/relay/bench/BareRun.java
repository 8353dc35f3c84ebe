package dev.relay.bench;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The ceiling on the same Temporal server: {@link BareWorkflow} with an in-process worker that has
 * the Relay worker's slot counts, started by {@code concurrency} clients like the API starts
 * deliveries (no eager start: the API has no worker in its process either).
 */
final class BareRun {
  private final Config config;
  private final WorkflowClient client;
  private final String run;
  private final Consumer<String> log;

  BareRun(Config config, WorkflowClient client, String run, Consumer<String> log) {
    this.config = config;
    this.client = client;
    this.run = run;
    this.log = log;
  }

  PhaseResult run(int activities, WorkerSettings slots) throws Exception {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(BareWorkflow.TASK_QUEUE, WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(slots.activitySlots())
        .setMaxConcurrentWorkflowTaskExecutionSize(slots.workflowTaskSlots())
        .build());
    worker.registerWorkflowImplementationTypes(BareWorkflow.Impl.class);
    worker.registerActivitiesImplementations(new NoopActivities.Impl());
    factory.start();
    try {
      log.accept(String.format("bare: warm-up, %d workflows", config.warmup()));
      startAll("w", config.warmup(), activities);
      log.accept(String.format("bare: %d workflows x %d no-op activities, %d starters",
          config.deliveries(), activities, config.concurrency()));
      CpuUse.Sample before = CpuUse.sample(config.relayHome());
      Runs timed = startAll("r", config.deliveries(), activities);
      CpuUse cpu = CpuUse.between(before, CpuUse.sample(config.relayHome()));
      TemporalCost history = TemporalCost.fetch(client, workflowId("r", 0));
      return timed.result(history, cpu);
    } finally {
      factory.shutdown();
      factory.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private String workflowId(String prefix, Object i) {
    return "bench-bare-" + run + "-" + prefix + i;
  }

  /**
   * Starts n workflows with {@code concurrency} starters, then waits until visibility lists them
   * all as closed. Completion times are the server's close times, like Mailpit's receive times on
   * the Relay side; polling visibility a few times a second costs the server far less than a
   * long-poll per workflow for its result.
   */
  private Runs startAll(String prefix, int n, int activities) throws Exception {
    Runs runs = new Runs(n);
    List<String> failures = Parallel.run(n, config.concurrency(), i -> {
      BareWorkflow stub = client.newWorkflowStub(BareWorkflow.class, WorkflowOptions.newBuilder()
          .setTaskQueue(BareWorkflow.TASK_QUEUE)
          .setWorkflowId(workflowId(prefix, i))
          .setDisableEagerExecution(true)
          .build());
      Instant t0 = Instant.now();
      WorkflowClient.start(stub::run, activities);
      runs.started[i] = Instant.now();
      runs.sent[i] = t0;
    });
    failures.forEach(f -> runs.errors.add("start failed: " + f));
    long expected = n - failures.size();
    String all = "WorkflowId STARTS_WITH \"" + workflowId(prefix, "") + "\"";
    Instant deadline = Instant.now().plus(config.timeout());
    long closed = 0;
    while (Instant.now().isBefore(deadline)) {
      closed = client.countWorkflows(all + " AND ExecutionStatus != \"Running\"").getCount();
      if (closed >= expected) {
        break;
      }
      Thread.sleep(250);
    }
    if (closed < expected) {
      runs.errors.add((expected - closed) + " workflows had not closed after "
          + config.timeout().toSeconds() + " s");
    }
    client.listExecutions(all).forEach(w -> {
      String id = w.getExecution().getWorkflowId();
      int i = Integer.parseInt(id.substring(workflowId(prefix, "").length()));
      if (w.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        runs.done[i] = w.getCloseTime();
      } else if (w.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        runs.errors.add(id + " closed as " + w.getStatus());
      }
    });
    return runs;
  }

  private static final class Runs {
    final int n;
    final Instant[] sent;
    final Instant[] started;
    final Instant[] done;
    final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());

    Runs(int n) {
      this.n = n;
      this.sent = new Instant[n];
      this.started = new Instant[n];
      this.done = new Instant[n];
    }

    PhaseResult result(TemporalCost history, CpuUse cpu) {
      List<Double> start = new ArrayList<>();
      List<Double> complete = new ArrayList<>();
      Instant first = null;
      Instant last = null;
      int started = 0;
      int completed = 0;
      for (int i = 0; i < n; i++) {
        if (this.started[i] == null) {
          continue;
        }
        started++;
        start.add(Tally.millis(sent[i], this.started[i]));
        first = first == null || sent[i].isBefore(first) ? sent[i] : first;
        if (done[i] != null) {
          completed++;
          complete.add(Tally.millis(this.started[i], done[i]));
          last = last == null || done[i].isAfter(last) ? done[i] : last;
        }
      }
      double wall = first == null || last == null ? Double.NaN : Tally.millis(first, last) / 1000.0;
      List<String> notes = errors.size() > 10 ? List.copyOf(errors.subList(0, 10)) : List.copyOf(errors);
      return new PhaseResult("bare", n, started, completed, 0, Latencies.ofMillis(start),
          Latencies.ofMillis(complete), completed / wall, wall, history, cpu, notes);
    }
  }
}
