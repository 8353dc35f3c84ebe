package dev.relay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time spent during a phase by each process of the stack (found through ./relay's pid files;
 * PostgreSQL as its postmaster and backends), by the benchmark JVM, and by everything else on the
 * machine. Read from /proc; on 2 cores this says who the bottleneck is and how much other work
 * (builds, tests) competed with the run.
 *
 * @param seconds CPU seconds per process name, plus "other" (machine busy time not accounted for)
 * @param machineBusyPercent busy time of all CPUs during the phase, in percent of their capacity
 */
record CpuUse(Map<String, Double> seconds, double machineBusyPercent) {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
  private static final List<String> STACK = List.of("temporal", "api", "worker", "mailpit");

  /** A reading of the counters. */
  record Sample(Map<String, Long> ticks, long machineBusy, long machineTotal) {}

  static Sample sample(Path relayHome) {
    Map<String, Long> ticks = new LinkedHashMap<>();
    for (String name : STACK) {
      pid(relayHome.resolve("pids/" + name + ".pid")).ifPresent(p -> ticks.put(name, ticks(p)));
    }
    pid(relayHome.resolve("pg/postmaster.pid")).ifPresent(pm -> ticks.put("postgres", familyTicks(pm)));
    ticks.put("benchmark", ticks(ProcessHandle.current().pid()));
    long busy = 0;
    long total = 0;
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      for (int i = 1; i < Math.min(cpu.length, 9); i++) { // user nice system idle iowait irq softirq steal
        long v = Long.parseLong(cpu[i]);
        total += v;
        busy += (i == 4 || i == 5) ? 0 : v;
      }
    } catch (Exception e) {
      // no /proc/stat: machine figures stay 0
    }
    return new Sample(ticks, busy, total);
  }

  static CpuUse between(Sample before, Sample after) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    double known = 0;
    for (var e : after.ticks().entrySet()) {
      long delta = e.getValue() - before.ticks().getOrDefault(e.getKey(), e.getValue());
      double s = Math.max(0, delta) / TICKS_PER_SECOND;
      seconds.put(e.getKey(), s);
      known += s;
    }
    double busy = (after.machineBusy() - before.machineBusy()) / TICKS_PER_SECOND;
    seconds.put("other", Math.max(0, busy - known));
    long total = after.machineTotal() - before.machineTotal();
    double percent = total > 0 ? 100.0 * (after.machineBusy() - before.machineBusy()) / total : Double.NaN;
    return new CpuUse(seconds, percent);
  }

  private static java.util.Optional<Long> pid(Path file) {
    try {
      return java.util.Optional.of(Long.parseLong(Files.readAllLines(file).get(0).trim()));
    } catch (Exception e) {
      return java.util.Optional.empty();
    }
  }

  /** utime + stime of a process, 0 when it is gone. */
  static long ticks(long pid) {
    String[] f = statFields(pid);
    return f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** A process and its direct children (PostgreSQL's backends). */
  private static long familyTicks(long parent) {
    long sum = ticks(parent);
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        long pid = Long.parseLong(p.getFileName().toString());
        String[] f = statFields(pid);
        if (f != null && Long.parseLong(f[1]) == parent) {
          sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
      }
    } catch (Exception e) {
      // best effort
    }
    return sum;
  }

  /** The fields of /proc/PID/stat after "(comm)": [0] = state, [1] = ppid, [11] = utime, [12] = stime. */
  private static String[] statFields(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    } catch (Exception e) {
      return null;
    }
  }
}
