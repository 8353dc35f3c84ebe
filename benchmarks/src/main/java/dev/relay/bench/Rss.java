package dev.relay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Resident memory (VmRSS from /proc/PID/status) of the API and the worker during a phase: at the
 * start, the highest of samples every 250 ms, and at the end. Processes found through ./relay's
 * pid files.
 */
final class Rss implements AutoCloseable {
  private static final List<String> PROCESSES = List.of("api", "worker");

  /** kB at the start, peak (sampled) and end of the phase. */
  record Reading(long startKb, long peakKb, long endKb) {}

  private final Map<String, Long> pids = new LinkedHashMap<>();
  private final Map<String, Long> start = new ConcurrentHashMap<>();
  private final Map<String, Long> peak = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
  private Map<String, Reading> readings;

  Rss(Path relayHome) {
    for (String name : PROCESSES) {
      try {
        pids.put(name, Long.parseLong(Files.readString(relayHome.resolve("pids/" + name + ".pid")).trim()));
      } catch (Exception e) {
        // not found: reported as missing
      }
    }
    pids.forEach((name, pid) -> {
      long kb = vmRssKb(pid);
      start.put(name, kb);
      peak.put(name, kb);
    });
    sampler.scheduleAtFixedRate(() -> pids.forEach((name, pid) -> peak.merge(name, vmRssKb(pid), Math::max)),
        250, 250, TimeUnit.MILLISECONDS);
  }

  /** Stops sampling and returns the readings; an unreadable process is absent. */
  Map<String, Reading> stop() {
    if (readings == null) {
      sampler.shutdownNow();
      Map<String, Reading> r = new LinkedHashMap<>();
      pids.forEach((name, pid) -> {
        long end = vmRssKb(pid);
        r.put(name, new Reading(start.get(name), Math.max(peak.get(name), end), end));
      });
      readings = r;
    }
    return readings;
  }

  @Override
  public void close() {
    stop();
  }

  /** VmRSS in kB, or 0 when the process is gone. */
  static long vmRssKb(long pid) {
    try {
      return parseVmRssKb(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    } catch (Exception e) {
      return 0;
    }
  }

  static long parseVmRssKb(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return 0;
  }
}
