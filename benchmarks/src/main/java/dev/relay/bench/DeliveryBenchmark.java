package dev.relay.bench;

import dev.relay.codec.CodecSettings;
import dev.relay.codec.SealedDataConverter;
import dev.relay.contracts.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Relay against fixed references, measured side by side in one run on the stack of
 * {@code ./relay up}:
 *
 * <ul>
 *   <li>cost: one Relay email delivery's and one minimal delivery's real history, counted
 *       (events, workflow tasks, activity tasks, Temporal Cloud billable actions);
 *   <li>closed loop: N deliveries by C clients, for Relay, the minimal Temporal delivery (one
 *       workflow, one SMTP activity, same Mailpit and server, worker with Relay's slots) and the
 *       bare workflow (as many no-op activities as Relay's history: a line that moves with Relay);
 *   <li>open loop: fixed rates for a fixed time each, for Relay and minimal: the highest rate whose
 *       backlog stays bounded is the sustainable throughput;
 *   <li>burst: N deliveries through the batch API, time to the last message, memory, exactly-once.
 * </ul>
 *
 * Printed, and written to benchmarks/results/latest.md. See benchmarks/README.md.
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
    System.exit(run(config, args));
  }

  /**
   * Relay's keyring as the apps have it: RELAY_CODEC_KEYS or RELAY_CODEC_KEY_FILE when set, else
   * the file ./relay up made under the relay home.
   */
  static CodecSettings codecSettings(Config config) {
    String keys = System.getenv("RELAY_CODEC_KEYS");
    String file = System.getenv("RELAY_CODEC_KEY_FILE");
    if ((keys == null || keys.isBlank()) && (file == null || file.isBlank())) {
      java.nio.file.Path local = config.relayHome().resolve("payload-keys");
      file = Files.exists(local) ? local.toString() : null;
    }
    return new CodecSettings(keys == null || keys.isBlank() ? null : keys, file, null, false);
  }

  static int run(Config config, String[] args) throws Exception {
    String run = "b" + DateTimeFormatter.ofPattern("yyyyMMdd't'HHmmss").withZone(ZoneOffset.UTC)
        .format(Instant.now());
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporalTarget()).build());
    // The reference arms (minimal, bare) run plain, as any Temporal design's floor; Relay's
    // workflows are read with Relay's keyring (their results and histories are sealed).
    WorkflowClient client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.namespace()).build());
    CodecSettings codec = codecSettings(config);
    log("Relay payloads: %s", codec.describe());
    WorkflowClient relayClient = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.namespace())
            .setDataConverter(SealedDataConverter.create(codec)).build());
    Http http = new Http();
    Mailpit mailpit = new Mailpit(http, config.mailpit());
    Load load = new Load(config, mailpit, run, DeliveryBenchmark::log);
    WorkerFactory factory = null;
    try {
      log("probing the stack");
      StackInfo stack = StackInfo.probe(service, config.relayHome());
      log("run %s: modes %s, N=%d, C=%d, warm-up %d", run, config.modes(), config.deliveries(),
          config.concurrency(), config.warmup());

      RelayArm relay = new RelayArm(config, http, run, DeliveryBenchmark::log);
      relay.putTemplate();
      // Warm-ups are untimed; their histories are the ones counted (TemporalCost.happyPath).
      log("Relay: warm-up, %d deliveries", config.warmup());
      Tally relayWarm = load.closedLoop(relay, "rw", config.warmup(), config.concurrency());
      TemporalCost relayCost = TemporalCost.happyPath(relayClient,
          relayWarm.acceptedIds().stream().map(relay::workflowId).toList());
      log("Relay: one delivery's history: %s", relayCost);
      // Read after the warm-up: the worker's slot gauges exist once it has polled and reported.
      WorkerSettings slots = workerSettings(http, config);
      log("Relay worker: %d activity / %d workflow-task slots [%s]", slots.activitySlots(),
          slots.workflowTaskSlots(), slots.source());

      factory = WorkerFactory.newInstance(client);
      Worker worker = factory.newWorker(MinimalDelivery.TASK_QUEUE, WorkerOptions.newBuilder()
          .setMaxConcurrentActivityExecutionSize(slots.activitySlots())
          .setMaxConcurrentWorkflowTaskExecutionSize(slots.workflowTaskSlots())
          .build());
      worker.registerWorkflowImplementationTypes(MinimalDelivery.Impl.class);
      worker.registerActivitiesImplementations(new SmtpSend(config.smtpHost(), config.smtpPort()));
      factory.start();
      MinimalArm minimal = new MinimalArm(client, run);
      log("minimal: warm-up, %d deliveries", config.warmup());
      Tally minimalWarm = load.closedLoop(minimal, "mw", config.warmup(), config.concurrency());
      TemporalCost minimalCost = TemporalCost.happyPath(client, minimalWarm.acceptedIds());
      log("minimal: one delivery's history: %s", minimalCost);

      PhaseResult relayClosed = null;
      PhaseResult minimalClosed = null;
      if (config.mode("closed")) {
        relayClosed = closed(load, relay, "rc", config, relayCost);
        minimalClosed = closed(load, minimal, "mc", config, minimalCost);
      }
      PhaseResult bareClosed = null;
      TemporalCost bareCost = null;
      if (config.mode("bare")) {
        bareClosed = new BareRun(config, client, run, DeliveryBenchmark::log).run(relayCost.activities(), slots);
        bareCost = bareClosed.cost();
      }

      List<Load.RateResult> open = new ArrayList<>();
      Double relaySustainable = null;
      Double minimalSustainable = null;
      if (config.mode("open")) {
        relaySustainable = openLoop(load, relay, "r", config, open);
        minimalSustainable = openLoop(load, minimal, "m", config, open);
      }

      BurstRun.Result burst = null;
      String burstUnavailable = null;
      if (config.mode("burst")) {
        try {
          burst = new BurstRun(config, relay, new BatchClient(http, config.api(), config.clientKey()), mailpit,
              load, run, DeliveryBenchmark::log).run(config.burst());
        } catch (BatchClient.Unavailable e) {
          burstUnavailable = e.getMessage();
          log("burst: NOT RUN: %s", burstUnavailable);
        }
      }

      Report report = new Report(run, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
          "./relay bench " + String.join(" ", userArgs(args)),
          "API " + config.api() + ", Mailpit " + config.mailpit() + ", SMTP " + config.smtpHost() + ":"
              + config.smtpPort() + ", worker " + config.workerActuator() + ", Temporal "
              + config.temporalTarget() + ", pid files " + config.relayHome(),
          config.deliveries(), config.concurrency(), config.warmup(), StackInfo.readLoadAverage(),
          stack, slots, relayCost, minimalCost, bareCost, relayClosed, minimalClosed, bareClosed,
          criterion(config), open, relaySustainable, minimalSustainable, burst, burstUnavailable);
      System.out.println();
      System.out.print(report.text());
      String json = Http.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
      if (config.out().getParent() != null) {
        Files.createDirectories(config.out().getParent());
      }
      Files.writeString(config.out(), report.markdown(json));
      log("written to %s", config.out());
      boolean complete = complete(relayClosed) && complete(minimalClosed) && complete(bareClosed)
          && (burst == null || burst.exactlyOnce()) && burstUnavailable == null;
      return complete ? 0 : 1;
    } finally {
      if (factory != null) {
        factory.shutdown();
        factory.awaitTermination(10, TimeUnit.SECONDS);
      }
      service.shutdown();
      service.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static PhaseResult closed(Load load, Arm arm, String tag, Config config, TemporalCost cost)
      throws Exception {
    log("%s: closed loop, %d deliveries, %d clients", arm.name(), config.deliveries(), config.concurrency());
    CpuUse.Sample before = CpuUse.sample(config.relayHome());
    Tally t = load.closedLoop(arm, tag, config.deliveries(), config.concurrency());
    PhaseResult r = PhaseResult.of(arm.name(), t, cost, CpuUse.between(before, CpuUse.sample(config.relayHome())));
    log("%s: %.1f deliveries/s, %d/%d delivered", arm.name(), r.perSecond(), r.completed(), r.requested());
    return r;
  }

  /** Rates in ascending order until the first unbounded one; returns the highest bounded rate, or 0. */
  private static double openLoop(Load load, Arm arm, String prefix, Config config, List<Load.RateResult> out)
      throws Exception {
    double sustainable = 0;
    for (double rate : config.rates()) {
      String tag = prefix + "o" + String.format(Locale.ROOT, "%.0f", rate).replace('.', '_');
      log("%s: open loop at %.0f/s for %d s", arm.name(), rate, config.rateSeconds());
      Load.RateResult r = load.openLoop(arm, tag, rate);
      out.add(r);
      log("%s at %.0f/s: %s", arm.name(), rate, r.verdict());
      if (!r.bounded()) {
        break; // higher rates only build a bigger queue
      }
      sustainable = rate;
    }
    return sustainable;
  }

  static String criterion(Config config) {
    return String.format(Locale.ROOT, "each rate offered for %d s on a fixed schedule (rates %s/s, ascending, "
        + "stopping at the first unbounded one); bounded = every offer accepted and every accepted delivery's "
        + "message in Mailpit within %d s after offering stopped; offering stops early if the backlog passes "
        + "2 × rate × %d s. Sustainable rate = highest bounded rate (0 = none).",
        config.rateSeconds(), config.rates(), config.drain().toSeconds(), config.drain().toSeconds());
  }

  private static boolean complete(PhaseResult p) {
    return p == null || (p.completed() == p.requested() && p.duplicates() == 0);
  }

  /** The options the user gave, without the stack endpoints ./relay adds. */
  private static List<String> userArgs(String[] args) {
    List<String> stackFlags = List.of("--api", "--mailpit", "--worker", "--temporal", "--client-key",
        "--relay-home", "--smtp");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (stackFlags.contains(args[i]) && i + 1 < args.length) {
        i++;
      } else {
        out.add(args[i]);
      }
    }
    return out;
  }

  private static WorkerSettings workerSettings(Http http, Config config) {
    try {
      var r = http.getText(config.workerActuator().resolve("/actuator/prometheus"), Duration.ofSeconds(5));
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
