package dev.relay.bench;

import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the numbers were measured on: the machine, the Temporal server and its SQLite settings
 * (read from the running dev server's command line, found through ./relay's pid file).
 */
record StackInfo(int cpus, long memoryMb, String cpuModel, String os, String java, String loadAverage,
    String temporalVersion, String sqliteFile, List<String> sqlitePragmas, String sqliteSource,
    String priorities) {

  static StackInfo probe(WorkflowServiceStubs service, Path relayHome) {
    String version;
    try {
      version = service.blockingStub().getSystemInfo(GetSystemInfoRequest.getDefaultInstance())
          .getServerVersion();
    } catch (RuntimeException e) {
      version = "unknown (" + e.getMessage() + ")";
    }
    String dbFile = "unknown";
    List<String> pragmas = new ArrayList<>();
    String source;
    Path pidFile = relayHome.resolve("pids/temporal.pid");
    try {
      String pid = Files.readString(pidFile).trim();
      String[] argv = new String(Files.readAllBytes(Path.of("/proc", pid, "cmdline")),
          StandardCharsets.UTF_8).split("\0");
      for (int i = 0; i + 1 < argv.length; i++) {
        if (argv[i].equals("--sqlite-pragma")) {
          pragmas.add(argv[i + 1]);
        } else if (argv[i].equals("--db-filename")) {
          dbFile = argv[i + 1];
        }
      }
      source = "command line of the running dev server (pid " + pid + ")";
      if (pragmas.isEmpty()) {
        pragmas.add("none given (SQLite defaults)");
      }
    } catch (Exception e) {
      source = "not found (" + pidFile + " unreadable): see ./relay start_temporal";
    }
    return new StackInfo(Runtime.getRuntime().availableProcessors(), readMemoryMb(), readCpuModel(),
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        readLoadAverage(), version, dbFile, pragmas, source, readPriorities(relayHome));
  }

  /**
   * The nice value of each process of the stack and of this JVM (./relay up runs the background
   * half at a lower priority than the accept path, see RELAY_BACKGROUND_NICE).
   */
  static String readPriorities(Path relayHome) {
    List<String> out = new ArrayList<>();
    try (var files = Files.list(relayHome.resolve("pids"))) {
      files.sorted().forEach(f -> {
        String name = f.getFileName().toString().replace(".pid", "");
        try {
          out.add(name + " " + nice(Files.readString(f).trim()));
        } catch (Exception e) {
          out.add(name + " ?");
        }
      });
    } catch (Exception e) {
      return "unknown (" + e.getMessage() + ")";
    }
    try {
      out.add("benchmark " + nice(String.valueOf(ProcessHandle.current().pid())));
    } catch (Exception e) {
      out.add("benchmark ?");
    }
    return String.join(", ", out);
  }

  /** Field 19 of /proc/PID/stat (index 16 after "(comm)"). */
  private static String nice(String pid) throws java.io.IOException {
    String stat = Files.readString(Path.of("/proc", pid, "stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16];
  }

  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews results. */
  static String readLoadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static long readMemoryMb() {
    return procLine("/proc/meminfo", "MemTotal:")
        .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).orElse(-1L);
  }

  private static String readCpuModel() {
    return procLine("/proc/cpuinfo", "model name")
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
  }

  private static Optional<String> procLine(String file, String prefix) {
    try (var lines = Files.lines(Path.of(file))) {
      return lines.filter(l -> l.startsWith(prefix)).findFirst();
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
