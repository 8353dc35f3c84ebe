package dev.relay.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** One benchmark run: both phases side by side, and what they ran on. */
record Report(String run, String finishedAt, String command, String endpoints, int deliveries, int concurrency,
    int warmup, String loadAverageAtEnd, StackInfo stack, WorkerSettings worker, PhaseResult relay, PhaseResult bare) {

  List<String[]> rows() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"metric", "Relay", "bare", "Relay/bare"});
    row(rows, "throughput, completed/s (first request → last completion)", PhaseResult::perSecond, 1);
    row(rows, "accept p50 ms (Relay POST→202, bare start call)", r -> r.acceptMs().p50(), 1);
    row(rows, "accept p99 ms", r -> r.acceptMs().p99(), 1);
    row(rows, "accept→delivered p50 ms (bare start→complete)", r -> r.completeMs().p50(), 1);
    row(rows, "accept→delivered p99 ms", r -> r.completeMs().p99(), 1);
    row(rows, "wall time s", PhaseResult::wallSeconds, 1);
    row(rows, "CPU ms per completed (stack + benchmark JVM, from /proc)", Report::cpuMsPerCompleted, 0);
    row(rows, "CPU-bound estimate, completed/s with all CPUs to ourselves",
        r -> stack.cpus() * 1000.0 / cpuMsPerCompleted(r), 1);
    row(rows, "completed / requested", r -> (double) r.completed() / r.requested(), 3);
    row(rows, "activities per workflow", r -> (double) r.activitiesPerWorkflow(), 0);
    row(rows, "history events per workflow", r -> (double) r.historyEventsPerWorkflow(), 0);
    return rows;
  }

  /** CPU time of the stack's processes and the benchmark JVM (not "other") per completed one. */
  static double cpuMsPerCompleted(PhaseResult r) {
    double seconds = r.cpu().seconds().entrySet().stream()
        .filter(e -> !e.getKey().equals("other")).mapToDouble(e -> e.getValue()).sum();
    return seconds * 1000.0 / r.completed();
  }

  private void row(List<String[]> rows, String label, Function<PhaseResult, Double> f, int digits) {
    double a = f.apply(relay);
    double b = f.apply(bare);
    rows.add(new String[] {label, num(a, digits), num(b, digits), num(a / b, 2)});
  }

  private static String num(double v, int digits) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "n/a";
  }

  List<String> settings() {
    return List.of(
        "command: " + command,
        "stack: " + endpoints,
        "run: " + run + ", finished " + finishedAt + "; N=" + deliveries + ", C=" + concurrency
            + " concurrent clients, warm-up " + warmup + " per side (untimed)",
        "machine: " + stack.cpus() + " CPUs (" + stack.cpuModel() + "), " + stack.memoryMb()
            + " MiB RAM, " + stack.os() + ", " + stack.java() + "; load average at start "
            + stack.loadAverage() + ", at end " + loadAverageAtEnd,
        "Temporal: dev server " + stack.temporalVersion() + ", SQLite " + stack.sqliteFile()
            + ", pragmas " + String.join(", ", stack.sqlitePragmas()) + " [" + stack.sqliteSource() + "]",
        "Relay worker: " + worker.activitySlots() + " activity slots, " + worker.workflowTaskSlots()
            + " workflow-task slots, " + worker.activityPollers() + " activity pollers, "
            + worker.workflowPollers() + " workflow pollers (incl. sticky), JDBC pool "
            + worker.jdbcPoolMax() + " [" + worker.source() + "]",
        "bare worker: in the benchmark JVM, same slot counts, SDK default pollers, task queue "
            + BareWorkflow.TASK_QUEUE + ", no eager start",
        "CPU seconds in the Relay phase: " + cpu(relay.cpu()),
        "CPU seconds in the bare phase (its worker is the benchmark JVM): " + cpu(bare.cpu()));
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
    relay.notes().forEach(n -> notes.add("Relay: " + n));
    bare.notes().forEach(n -> notes.add("bare: " + n));
    return notes;
  }

  String text() {
    List<String[]> rows = rows();
    int[] width = new int[4];
    rows.forEach(r -> {
      for (int i = 0; i < 4; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    });
    StringBuilder out = new StringBuilder();
    for (String[] r : rows) {
      out.append(String.format("%-" + width[0] + "s  %" + width[1] + "s  %" + width[2] + "s  %"
          + width[3] + "s%n", (Object[]) r));
    }
    out.append('\n');
    settings().forEach(s -> out.append(s).append('\n'));
    notes().forEach(n -> out.append("note: ").append(n).append('\n'));
    return out.toString();
  }

  String markdown(String json) {
    StringBuilder md = new StringBuilder("# Relay benchmark: latest run\n\n");
    md.append("Written by `./relay bench` (benchmarks/, `dev.relay.bench.DeliveryBenchmark`). ")
        .append("Relay: POST /v1/deliveries → message in Mailpit (its Created time). ")
        .append("bare: a workflow with the same number of no-op activities on the same server.\n\n");
    List<String[]> rows = rows();
    for (int i = 0; i < rows.size(); i++) {
      md.append("| ").append(String.join(" | ", rows.get(i))).append(" |\n");
      if (i == 0) {
        md.append("|---|---:|---:|---:|\n");
      }
    }
    md.append('\n');
    settings().forEach(s -> md.append("- ").append(s).append('\n'));
    List<String> notes = notes();
    if (!notes.isEmpty()) {
      md.append("\nNotes:\n\n");
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
    }
    md.append("\n```json\n").append(json).append("\n```\n");
    return md.toString();
  }
}
