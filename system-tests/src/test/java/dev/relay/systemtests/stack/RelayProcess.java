package dev.relay.systemtests.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Relay Spring Boot app (the worker or the API) as its own {@code java -jar} process, configured
 * only by environment variables, on a free loopback port, logging to a file. Ready when its
 * actuator health endpoint says UP. {@link #kill9()} is SIGKILL; {@link #start()} again reuses
 * the same port, environment and log file.
 */
public final class RelayProcess implements AutoCloseable {
  /**
   * Boot time allowed; {@code -Drelay.ready.timeout=300} (seconds) on a machine that shares its
   * cores with other builds, where several Spring Boot JVMs starting at once take minutes.
   */
  private static final Duration READY_TIMEOUT =
      Duration.ofSeconds(Long.getLong("relay.ready.timeout", 150));

  private final String name;
  private final int port;
  /** Where actuator answers: the API's management port, or the worker's only port. */
  private final int managementPort;
  private final String readinessPath;
  private final ManagedProcess process;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * @param readinessPath the actuator path that answers 200 only once the app takes work (the
   *     API's readiness group turns UP after its startup runners, e.g. the bootstrap tenants)
   */
  public RelayProcess(String name, Path jar, int port, String readinessPath,
      Map<String, String> environment, Path workDir, Path logDir) {
    this.name = name;
    this.port = port;
    this.readinessPath = readinessPath;
    this.managementPort = environment.containsKey("MANAGEMENT_SERVER_PORT")
        ? Integer.parseInt(environment.get("MANAGEMENT_SERVER_PORT")) : port;
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put("SERVER_PORT", Integer.toString(port));
    env.put("SERVER_ADDRESS", "127.0.0.1");
    List<String> command = new ArrayList<>(List.of(StackPaths.java(),
        "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Djava.net.preferIPv4Stack=true",
        "-jar", jar.toString()));
    this.process = new ManagedProcess(name, command, env, workDir, logDir.resolve(name + ".log"));
  }

  /** Starts the process; call {@link #awaitReady()} before using it. */
  public RelayProcess start() {
    process.start();
    return this;
  }

  public RelayProcess awaitReady() {
    Poll.until(name + " to be ready at " + healthUri(), READY_TIMEOUT, Duration.ofMillis(300), () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited (" + process.exitCode() + ") before it was "
            + "ready; last lines of " + process.logFile() + ":\n" + process.logTail(60));
      }
      int status = health();
      if (status != 200 && failedToStart()) {
        // Non-daemon threads can keep a JVM whose startup failed alive: do not wait it out.
        throw new IllegalStateException(name + " failed to start; see " + process.logFile()
            + ":\n" + process.logTail(60));
      }
      return status;
    }, status -> status == 200);
    return this;
  }

  /** The HTTP status of the readiness endpoint (-1 when nothing answers). */
  public int health() {
    try {
      return http.send(HttpRequest.newBuilder(healthUri()).timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private boolean failedToStart() {
    String since = process.logTail(400);
    int lastStart = since.lastIndexOf("==== [system-tests");
    String current = lastStart < 0 ? since : since.substring(lastStart);
    return current.contains("APPLICATION FAILED TO START")
        || current.contains("Exception in thread \"main\"")
        || current.contains("Application run failed");
  }

  public void kill9() {
    process.kill9();
  }

  /** Graceful stop (SIGTERM; Spring's shutdown), SIGKILL after 20 s. */
  public void stop() {
    process.stop(Duration.ofSeconds(20));
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public ManagedProcess process() {
    return process;
  }

  private URI healthUri() {
    return URI.create("http://127.0.0.1:" + managementPort + readinessPath);
  }

  @Override
  public void close() {
    stop();
  }
}
