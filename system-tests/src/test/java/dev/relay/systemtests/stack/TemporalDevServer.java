package dev.relay.systemtests.stack;

import dev.relay.contracts.SearchAttributes;
import io.temporal.common.SearchAttributeKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Temporal server: the Temporal CLI's dev server ({@code temporal server start-dev}) on
 * free loopback ports, persisting to a SQLite file (WAL) so {@link #stop()} and {@link #start()}
 * again on the same ports and file lose nothing. Relay's search attributes are registered at
 * creation ({@code --search-attribute}) and, idempotently, on every start.
 */
public final class TemporalDevServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TemporalDevServer.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

  /** The SQLite pragmas the dev server runs with (WAL survives a stop and start). */
  public static final List<String> SQLITE_PRAGMAS = List.of("journal_mode=WAL", "synchronous=NORMAL");

  private final Path binary;
  private final Path dbFile;
  private final int port = Ports.free();
  private final int uiPort = Ports.free();
  private final int httpPort = Ports.free();
  private final int metricsPort = Ports.free();
  private final ManagedProcess process;

  public TemporalDevServer(Path dataDir, Path logDir) {
    this.binary = StackPaths.temporalBinary();
    this.dbFile = dataDir.resolve("temporal.db");
    List<String> command = new ArrayList<>(List.of(binary.toString(), "server", "start-dev",
        "--ip", "127.0.0.1",
        "--port", Integer.toString(port),
        "--ui-port", Integer.toString(uiPort),
        "--http-port", Integer.toString(httpPort),
        "--metrics-port", Integer.toString(metricsPort),
        "--db-filename", dbFile.toString(),
        "--log-level", "warn"));
    for (String pragma : SQLITE_PRAGMAS) {
      command.add("--sqlite-pragma");
      command.add(pragma);
    }
    for (SearchAttributeKey<String> key : SearchAttributes.ALL) {
      command.add("--search-attribute");
      command.add(key.getName() + "=Keyword");
    }
    this.process = new ManagedProcess("temporal", command,
        Map.of("TEMPORAL_NOTIFY_ON_NEW_VERSION", "false"), dataDir, logDir.resolve("temporal.log"));
  }

  /** Starts the server and returns once its frontend serves and the namespace is usable. */
  public TemporalDevServer start() {
    process.start();
    awaitReady();
    registerSearchAttributes();
    return this;
  }

  /** SIGTERM (SIGKILL after 15 s); the SQLite file stays for the next {@link #start()}. */
  public void stop() {
    process.stop(Duration.ofSeconds(15));
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** host:port of the gRPC frontend. */
  public String target() {
    return "127.0.0.1:" + port;
  }

  public String webUi() {
    return "http://127.0.0.1:" + uiPort;
  }

  public Path dbFile() {
    return dbFile;
  }

  public ManagedProcess process() {
    return process;
  }

  private void awaitReady() {
    Poll.until("the Temporal dev server at " + target() + " to serve", READY_TIMEOUT,
        Duration.ofMillis(250), () -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("the Temporal dev server exited ("
                + process.exitCode() + "):\n" + process.logTail(30));
          }
          CliResult health = cli(Duration.ofSeconds(10), "operator", "cluster", "health");
          if (!health.ok() || !health.output().contains("SERVING")) {
            return health;
          }
          return cli(Duration.ofSeconds(10), "operator", "namespace", "describe", "--namespace", "default");
        }, CliResult::ok);
    log.info("Temporal dev server ready at {} (UI {}, db {})", target(), webUi(), dbFile);
  }

  /** --search-attribute applies only when the database is created; make sure on every start. */
  private void registerSearchAttributes() {
    CliResult list = cli(CLI_TIMEOUT, "operator", "search-attribute", "list");
    for (SearchAttributeKey<String> key : SearchAttributes.ALL) {
      if (list.ok() && list.output().contains(key.getName())) {
        continue;
      }
      CliResult created = cli(CLI_TIMEOUT, "operator", "search-attribute", "create",
          "--name", key.getName(), "--type", "Keyword");
      if (!created.ok() && !created.output().contains("already")) {
        throw new IllegalStateException("cannot register search attribute " + key.getName()
            + ": " + created.output());
      }
    }
  }

  /** Runs the Temporal CLI against this server ({@code --address} is added). */
  public CliResult cli(String... args) {
    return cli(CLI_TIMEOUT, args);
  }

  public CliResult cli(Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    command.add("--address");
    command.add(target());
    Path out = null;
    try {
      out = Files.createTempFile("temporal-cli", ".out");
      Process p = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new CliResult(command, -1, "timed out after " + timeout + ": "
            + Files.readString(out, StandardCharsets.UTF_8));
      }
      return new CliResult(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    }
  }

  /** What a CLI call printed (stdout and stderr) and how it exited. */
  public record CliResult(List<String> command, int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }

    @Override
    public String toString() {
      return "`" + String.join(" ", command) + "` exited " + exitCode + ": " + output.strip();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
