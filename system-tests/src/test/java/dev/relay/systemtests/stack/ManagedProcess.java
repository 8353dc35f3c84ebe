package dev.relay.systemtests.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One external program of the stack: started with a command line and environment, output appended
 * to a log file, stopped with SIGTERM (then SIGKILL after a bound) or killed with SIGKILL. It can
 * be started again after it stopped (same command, same log). Every live process is also stopped
 * by a JVM shutdown hook, so an aborted test run leaves nothing behind.
 */
public class ManagedProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagedProcess.class);
  private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (ManagedProcess p : LIVE) {
        p.forceKill();
      }
    }, "system-tests-reaper"));
  }

  private final String name;
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path workDir;
  private final Path logFile;
  private volatile Process process;

  public ManagedProcess(String name, List<String> command, Map<String, String> environment,
      Path workDir, Path logFile) {
    this.name = name;
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.workDir = workDir;
    this.logFile = logFile;
  }

  public String name() {
    return name;
  }

  public Path logFile() {
    return logFile;
  }

  public synchronized void start() {
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    try {
      Files.createDirectories(logFile.getParent());
      Files.createDirectories(workDir);
      marker("start: " + String.join(" ", command));
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      builder.environment().putAll(environment);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
    LIVE.add(this);
    log.info("{} started (pid {}), log {}", name, process.pid(), logFile);
  }

  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  public long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  /** The exit code if the process has ended, else null. */
  public Integer exitCode() {
    Process p = process;
    return p == null || p.isAlive() ? null : p.exitValue();
  }

  /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
  public synchronized void stop(Duration grace) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      LIVE.remove(this);
      return;
    }
    List<ProcessHandle> children = p.descendants().toList();
    marker("stop (SIGTERM, grace " + grace + ")");
    p.destroy();
    boolean exited = waitFor(p, grace);
    if (!exited) {
      log.warn("{} did not stop within {}: SIGKILL", name, grace);
      marker("SIGKILL after grace");
      p.destroyForcibly();
      waitFor(p, Duration.ofSeconds(10));
    }
    children.forEach(ProcessHandle::destroyForcibly);
    LIVE.remove(this);
    log.info("{} stopped (exit {})", name, p.isAlive() ? "?" : p.exitValue());
  }

  /** SIGKILL, like {@code kill -9}: no shutdown hooks, no graceful anything. */
  public synchronized void kill9() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    marker("kill -9");
    forceKill();
    if (!waitFor(p, Duration.ofSeconds(10))) {
      throw new IllegalStateException(name + " survived SIGKILL for 10 s");
    }
    LIVE.remove(this);
    log.info("{} killed with SIGKILL (pid {})", name, p.pid());
  }

  private void forceKill() {
    Process p = process;
    if (p != null) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  /** The last lines of the log file, for failure messages. */
  public String logTail(int lines) {
    try {
      if (!Files.exists(logFile)) {
        return "(no log yet)";
      }
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  /** Lines of the log file that contain {@code text}. */
  public List<String> logLinesContaining(String text) {
    List<String> out = new ArrayList<>();
    try {
      if (Files.exists(logFile)) {
        for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
          if (line.contains(text)) {
            out.add(line);
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // a log that cannot be read holds no evidence either way
    }
    return out;
  }

  private void marker(String text) {
    try {
      Files.writeString(logFile, "\n==== [system-tests " + Instant.now() + "] " + name + ": " + text + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      log.warn("cannot write to {}: {}", logFile, e.toString());
    }
  }

  private static boolean waitFor(Process p, Duration bound) {
    try {
      return p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(15));
  }

  @Override
  public String toString() {
    return name + (isAlive() ? " (pid " + pid() + ")" : " (not running)");
  }
}
