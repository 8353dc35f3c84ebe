package dev.relay.bench;

import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The first benchmark (issue 3), against the running local stack ({@code ./relay up}):
 *
 * <ol>
 *   <li>Relay end to end: N deliveries through the API by C concurrent clients, each counted when
 *       its message is in Mailpit;
 *   <li>the ceiling: N bare workflows with as many no-op activities as a Relay email delivery
 *       schedules (counted from a real delivery's history), on the same Temporal server, with a
 *       worker of the Relay worker's concurrency;
 *   <li>one table side by side, printed and written to benchmarks/results/latest.md.
 * </ol>
 *
 * Run with {@code ./relay bench [--deliveries N] [--concurrency C]}.
 */
public final class DeliveryBenchmark {

  public static void main(String[] args) throws Exception {
    Config config;
    try {
      config = Config.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(run(config));
  }

  static int run(Config config) throws Exception {
    String run = "b" + DateTimeFormatter.ofPattern("yyyyMMdd't'HHmmss").withZone(ZoneOffset.UTC)
        .format(Instant.now());
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporalTarget()).build());
    WorkflowClient client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.namespace()).build());
    Http http = new Http();
    try {
      log("probing the stack");
      StackInfo stack = StackInfo.probe(service, config.relayHome());
      log("run %s: N=%d, C=%d, warm-up %d", run, config.deliveries(), config.concurrency(),
          config.warmup());

      RelayRun relay = new RelayRun(config, http, run, DeliveryBenchmark::log);
      RelayRun.Batch warm = relay.newBatch("w", config.warmup());
      RelayRun.Batch timed = relay.newBatch("r", config.deliveries());
      log("relay: creating %d recipients with consent", warm.n + timed.n);
      relay.prepare(warm, timed);
      log("relay: warm-up, %d deliveries", warm.n);
      relay.send(warm);
      relay.awaitArrivals(warm);
      if (warm.deliveryIds[0] == null) {
        throw new IllegalStateException("the API did not accept a delivery: " + warm.notes);
      }
      HistoryCounts relayHistory = HistoryCounts.of(client, DeliveryIds.workflowId(warm.deliveryIds[0]));
      log("relay: one delivery's history has %d activities, %d events",
          relayHistory.activities(), relayHistory.events());
      // Read after the warm-up: the worker's slot gauges exist once it has polled and reported.
      WorkerSettings worker = workerSettings(http, config);
      log("Relay worker: %d activity / %d workflow-task slots [%s]", worker.activitySlots(),
          worker.workflowTaskSlots(), worker.source());
      log("relay: %d deliveries, %d clients", timed.n, config.concurrency());
      CpuUse.Sample before = CpuUse.sample(config.relayHome());
      relay.send(timed);
      relay.awaitArrivals(timed);
      CpuUse relayCpu = CpuUse.between(before, CpuUse.sample(config.relayHome()));
      PhaseResult relayResult = relay.result(timed, relayHistory, relayCpu);

      PhaseResult bareResult = new BareRun(config, client, run, DeliveryBenchmark::log)
          .run(relayHistory.activities(), worker);

      Report report = new Report(run, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
          "./relay bench --deliveries " + config.deliveries() + " --concurrency " + config.concurrency(),
          "API " + config.api() + ", Mailpit " + config.mailpit() + ", worker " + config.workerActuator()
              + ", Temporal " + config.temporalTarget() + ", pid files " + config.relayHome(),
          config.deliveries(), config.concurrency(), config.warmup(), StackInfo.readLoadAverage(),
          stack, worker, relayResult, bareResult);
      System.out.println();
      System.out.print(report.text());
      String json = Http.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
      if (config.out().getParent() != null) {
        Files.createDirectories(config.out().getParent());
      }
      Files.writeString(config.out(), report.markdown(json));
      log("written to %s", config.out());
      boolean complete = relayResult.completed() == relayResult.requested()
          && bareResult.completed() == bareResult.requested() && relayResult.duplicates() == 0;
      return complete ? 0 : 1;
    } finally {
      service.shutdown();
      service.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static WorkerSettings workerSettings(Http http, Config config) {
    try {
      var r = http.getText(config.workerActuator().resolve("/actuator/prometheus"),
          Duration.ofSeconds(5));
      WorkerSettings s = r.status() == 200
          ? WorkerSettings.fromPrometheus(r.body(), TaskQueues.DELIVERY,
              config.workerActuator().resolve("/actuator/prometheus").toString())
          : null;
      return s != null ? s : WorkerSettings.DEFAULTS;
    } catch (Exception e) {
      return WorkerSettings.DEFAULTS;
    }
  }

  static void log(String format, Object... args) {
    System.err.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + String.format(format, args));
  }

  static void log(String message) {
    log("%s", message);
  }
}
