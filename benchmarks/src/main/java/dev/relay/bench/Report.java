package dev.relay.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One benchmark run: the arms side by side (cost from real histories, closed-loop throughput,
 * sustainable open-loop rate), then the open-loop and burst tables, and what it all ran on.
 * Arms missing from the run (mode not selected) are null.
 */
record Report(String run, String finishedAt, String command, String endpoints, int deliveries,
    int concurrency, int warmup, String loadAverageAtEnd, StackInfo stack, WorkerSettings worker,
    TemporalCost relayCost, TemporalCost minimalCost, TemporalCost bareCost,
    PhaseResult relay, PhaseResult minimal, PhaseResult bare,
    String openLoopCriterion, List<Load.RateResult> openLoop, Double relaySustainable,
    Double minimalSustainable, BurstRun.Result burst, String burstUnavailable) {

  static final String BARE_LABEL = "bare (same activity count as Relay: moves with Relay)";

  /** The headline table: one row per arm. */
  List<String[]> summary() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"arm", "activities", "history events", "workflow tasks", "activity tasks",
        "billable actions", "closed-loop deliveries/s", "sustainable rate/s", "closed-loop ratio vs minimal",
        "sustainable ratio vs minimal"});
    double minRate = minimal == null ? Double.NaN : minimal.perSecond();
    double minSustained = minimalSustainable == null ? Double.NaN : minimalSustainable;
    rows.add(arm("Relay", relayCost, relay, relaySustainable, minRate, minSustained));
    rows.add(arm("minimal (1 workflow, 1 SMTP activity)", minimalCost, minimal, minimalSustainable, minRate,
        minSustained));
    if (bareCost != null || bare != null) {
      rows.add(arm(BARE_LABEL, bareCost, bare, null, minRate, minSustained));
    }
    return rows;
  }

  private String[] arm(String label, TemporalCost cost, PhaseResult closed, Double sustained,
      double minRate, double minSustained) {
    Double lowestRate = openLoop.isEmpty() ? null : openLoop.stream().mapToDouble(Load.RateResult::rate).min().getAsDouble();
    double rate = closed == null ? Double.NaN : closed.perSecond();
    double s = sustained == null ? Double.NaN : sustained;
    String sustainedText = sustained == null ? "n/a" : num(s, 0);
    String sustainedRatio = num(s / minSustained, 2);
    if (sustained != null && sustained == 0 && lowestRate != null) {
      // Not even the lowest rate held: the rate is below it, and so is the ratio.
      sustainedText = "< " + num(lowestRate, 0);
      sustainedRatio = "< " + num(lowestRate / minSustained, 2);
    }
    return new String[] {label,
        cost == null ? "n/a" : String.valueOf(cost.activities()),
        cost == null ? "n/a" : String.valueOf(cost.events()),
        cost == null ? "n/a" : String.valueOf(cost.workflowTasks()),
        cost == null ? "n/a" : String.valueOf(cost.activityTasks()),
        cost == null ? "n/a" : String.valueOf(cost.billableActions()),
        num(rate, 1), sustainedText, num(rate / minRate, 2), sustainedRatio};
  }

  /** Closed-loop details, one column per arm that ran. */
  List<String[]> closedLoop() {
    List<PhaseResult> arms = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("closed loop: metric"));
    for (PhaseResult p : new PhaseResult[] {relay, minimal, bare}) {
      if (p != null) {
        arms.add(p);
        header.add(p.name());
      }
    }
    boolean ratio = relay != null && minimal != null;
    if (ratio) {
      header.add("Relay/minimal");
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(header.toArray(String[]::new));
    if (arms.isEmpty()) {
      return rows;
    }
    row(rows, arms, ratio, "completed/s (first request → last completion)", PhaseResult::perSecond, 1);
    row(rows, arms, ratio, "accept p50 ms (Relay POST→202; minimal, bare: start call)", r -> r.acceptMs().p50(), 1);
    row(rows, arms, ratio, "accept p99 ms", r -> r.acceptMs().p99(), 1);
    row(rows, arms, ratio, "accept→delivered p50 ms (bare: →closed)", r -> r.completeMs().p50(), 1);
    row(rows, arms, ratio, "accept→delivered p99 ms", r -> r.completeMs().p99(), 1);
    row(rows, arms, ratio, "wall time s", PhaseResult::wallSeconds, 1);
    row(rows, arms, ratio, "CPU ms per completed (stack + benchmark JVM, /proc)", Report::cpuMsPerCompleted, 0);
    row(rows, arms, ratio, "completed / requested", r -> (double) r.completed() / r.requested(), 3);
    row(rows, arms, ratio, "deliveries with duplicate messages", r -> (double) r.duplicates(), 0);
    return rows;
  }

  private void row(List<String[]> rows, List<PhaseResult> arms, boolean ratio, String label,
      Function<PhaseResult, Double> f, int digits) {
    List<String> r = new ArrayList<>(List.of(label));
    arms.forEach(a -> r.add(num(f.apply(a), digits)));
    if (ratio) {
      r.add(num(f.apply(relay) / f.apply(minimal), 2));
    }
    rows.add(r.toArray(String[]::new));
  }

  /** CPU time of the stack's processes and the benchmark JVM (not "other") per completed one. */
  static double cpuMsPerCompleted(PhaseResult r) {
    double seconds = r.cpu().seconds().entrySet().stream()
        .filter(e -> !e.getKey().equals("other")).mapToDouble(Map.Entry::getValue).sum();
    return seconds * 1000.0 / r.completed();
  }

  List<String[]> openLoopRows() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"arm", "rate/s", "offered", "accepted", "delivered", "accept p50 ms",
        "accept p99 ms", "accept→delivered p50 ms", "accept→delivered p99 ms", "delivered/s while offering",
        "lag s", "verdict"});
    for (Load.RateResult r : openLoop) {
      rows.add(new String[] {r.arm(), num(r.rate(), 0), String.valueOf(r.offered()), String.valueOf(r.accepted()),
          String.valueOf(r.delivered()), num(r.acceptMs().p50(), 0), num(r.acceptMs().p99(), 0),
          num(r.deliverMs().p50(), 0), num(r.deliverMs().p99(), 0), num(r.deliveredPerSecond(), 1),
          num(r.lagSeconds(), 1), r.verdict()});
    }
    return rows;
  }

  List<String[]> burstRows() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"burst (Relay, POST /v1/deliveries/batch)", "value"});
    if (burstUnavailable != null) {
      rows.add(new String[] {"not run", burstUnavailable});
      return rows;
    }
    BurstRun.Result b = burst;
    rows.add(new String[] {"deliveries requested", String.valueOf(b.requested())});
    rows.add(new String[] {"accepted / replayed / rejected", b.accepted() + " / " + b.replayed() + " / " + b.rejected()});
    rows.add(new String[] {"batch requests", String.valueOf(b.requests())});
    rows.add(new String[] {"first request → last batch answered, s", num(b.acceptSeconds(), 1)});
    rows.add(new String[] {"first request → last message in Mailpit, s", num(b.lastMessageSeconds(), 1)});
    rows.add(new String[] {"delivered / missing / duplicated", b.delivered() + " / " + b.missing() + " / " + b.duplicates()});
    rows.add(new String[] {"every mail exactly once", b.exactlyOnce() ? "yes" : "NO"});
    rows.add(new String[] {"accept→delivered p50 / p99 ms", num(b.deliverMs().p50(), 0) + " / " + num(b.deliverMs().p99(), 0)});
    b.rssKb().forEach((name, r) -> rows.add(new String[] {name + " VmRSS MiB start / peak / end",
        num(r.startKb() / 1024.0, 0) + " / " + num(r.peakKb() / 1024.0, 0) + " / " + num(r.endKb() / 1024.0, 0)}));
    return rows;
  }

  List<String> settings() {
    List<String> s = new ArrayList<>(List.of(
        "command: " + command,
        "stack: " + endpoints,
        "run: " + run + ", finished " + finishedAt + "; closed loop N=" + deliveries + ", C=" + concurrency
            + " concurrent clients, warm-up " + warmup + " per arm (untimed)",
        "machine: " + stack.cpus() + " CPUs (" + stack.cpuModel() + "), " + stack.memoryMb()
            + " MiB RAM, " + stack.os() + ", " + stack.java() + "; load average at start "
            + stack.loadAverage() + ", at end " + loadAverageAtEnd,
        "Temporal: dev server " + stack.temporalVersion() + ", SQLite " + stack.sqliteFile()
            + ", pragmas " + String.join(", ", stack.sqlitePragmas()) + " [" + stack.sqliteSource() + "]",
        "process priorities (nice): " + stack.priorities(),
        "Relay worker: " + worker.activitySlots() + " activity slots, " + worker.workflowTaskSlots()
            + " workflow-task slots, " + worker.activityPollers() + " activity pollers, "
            + worker.workflowPollers() + " workflow pollers (incl. sticky), JDBC pool "
            + worker.jdbcPoolMax() + " [" + worker.source() + "]",
        "minimal and bare workers: in the benchmark JVM, same slot counts, SDK default pollers, task queues "
            + MinimalDelivery.TASK_QUEUE + " / " + BareWorkflow.TASK_QUEUE + ", no eager start",
        "open loop: " + openLoopCriterion,
        "cost columns: the happy path, i.e. the smallest history among the last 3 warm-up deliveries of "
            + "each arm; workflow tasks = WorkflowTaskScheduled, activity tasks = attempts (ActivityTaskStarted."
            + "attempt), billable actions per docs.temporal.io/cloud/actions (see TemporalCost; queries and "
            + "heartbeats leave no event and are not counted)"));
    cost("Relay", relayCost, s);
    cost("minimal", minimalCost, s);
    cost("bare", bareCost, s);
    for (PhaseResult p : new PhaseResult[] {relay, minimal, bare}) {
      if (p != null) {
        s.add("CPU seconds in the " + p.name() + " closed loop: " + cpu(p.cpu()));
      }
    }
    return s;
  }

  private static void cost(String arm, TemporalCost c, List<String> s) {
    if (c != null) {
      s.add("billable actions of one " + arm + " workflow: " + c.actionsByKind());
    }
  }

  private static String cpu(CpuUse use) {
    StringBuilder s = new StringBuilder();
    use.seconds().forEach((name, secs) -> s.append(name).append(' ')
        .append(String.format(Locale.ROOT, "%.1f", secs)).append(", "));
    return s.append(String.format(Locale.ROOT, "machine busy %.0f%% of all CPUs", use.machineBusyPercent()))
        .toString();
  }

  List<String> notes() {
    List<String> notes = new ArrayList<>();
    for (PhaseResult p : new PhaseResult[] {relay, minimal, bare}) {
      if (p != null) {
        p.notes().forEach(n -> notes.add(p.name() + ": " + n));
      }
    }
    openLoop.forEach(r -> r.notes().forEach(n -> notes.add(r.arm() + " at " + num(r.rate(), 0) + "/s: " + n)));
    if (burst != null) {
      burst.notes().forEach(n -> notes.add("burst: " + n));
    }
    return notes;
  }

  private List<List<String[]>> tables() {
    List<List<String[]>> tables = new ArrayList<>(List.of(summary()));
    if (relay != null || minimal != null || bare != null) {
      tables.add(closedLoop());
    }
    if (!openLoop.isEmpty()) {
      tables.add(openLoopRows());
    }
    if (burst != null || burstUnavailable != null) {
      tables.add(burstRows());
    }
    return tables;
  }

  String text() {
    StringBuilder out = new StringBuilder();
    for (List<String[]> rows : tables()) {
      int cols = rows.get(0).length;
      int[] width = new int[cols];
      rows.forEach(r -> {
        for (int i = 0; i < cols; i++) {
          width[i] = Math.max(width[i], r[i].length());
        }
      });
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cols; i++) {
          line.append(i == 0 ? String.format("%-" + width[i] + "s", r[i]) : String.format("  %" + width[i] + "s", r[i]));
        }
        out.append(line.toString().stripTrailing()).append('\n');
      }
      out.append('\n');
    }
    settings().forEach(s -> out.append(s).append('\n'));
    notes().forEach(n -> out.append("note: ").append(n).append('\n'));
    return out.toString();
  }

  String markdown(String json) {
    StringBuilder md = new StringBuilder("# Relay benchmark: latest run\n\n");
    md.append("Written by `./relay bench` (benchmarks/, `dev.relay.bench.DeliveryBenchmark`; how to read it: ")
        .append("benchmarks/README.md). Relay: POST /v1/deliveries → message in Mailpit. minimal: one workflow ")
        .append("with one SMTP activity → message in Mailpit, same server, same slots. ")
        .append("bare: the same number of no-op activities as Relay's history (moves with Relay).\n\n");
    for (List<String[]> rows : tables()) {
      for (int i = 0; i < rows.size(); i++) {
        md.append("| ").append(String.join(" | ", rows.get(i))).append(" |\n");
        if (i == 0) {
          md.append("|---").append("|---:".repeat(rows.get(0).length - 1)).append("|\n");
        }
      }
      md.append('\n');
    }
    settings().forEach(s -> md.append("- ").append(s).append('\n'));
    List<String> notes = notes();
    if (!notes.isEmpty()) {
      md.append("\nNotes:\n\n");
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
    }
    md.append("\n```json\n").append(json).append("\n```\n");
    return md.toString();
  }

  static String num(double v, int digits) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "n/a";
  }
}
