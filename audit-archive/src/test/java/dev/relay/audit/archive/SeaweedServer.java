package dev.relay.audit.archive;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real SeaweedFS (S3 API) for tests: started on free loopback ports in a temporary directory,
 * ready when a signed S3 call succeeds, stopped (with its child processes) on close. The binary
 * is {@code .relay/bin/weed} of the checkout (or {@code RELAY_WEED_BIN}); if it is missing it is
 * built once with scripts/build-seaweedfs.sh (minutes on 2 cores; .ci/run builds it up front).
 */
final class SeaweedServer implements AutoCloseable {
  static final String ACCESS_KEY = "relay-test";
  static final String SECRET_KEY = "relay-test-secret";

  private final Process process;
  private final int s3Port;
  private final Path dir;

  private SeaweedServer(Process process, int s3Port, Path dir) {
    this.process = process;
    this.s3Port = s3Port;
    this.dir = dir;
  }

  String endpoint() {
    return "http://127.0.0.1:" + s3Port;
  }

  S3Settings settings(String bucket, String prefix) {
    return new S3Settings(endpoint(), "us-east-1", bucket, prefix, true, ACCESS_KEY, SECRET_KEY,
        null, 0);
  }

  static SeaweedServer start() throws Exception {
    Path weed = binary();
    Path dir = Files.createTempDirectory("relay-seaweedfs-");
    Path config = dir.resolve("s3.json");
    Files.writeString(config, """
        {"identities":[{"name":"relay","credentials":[{"accessKey":"%s","secretKey":"%s"}],
          "actions":["Admin","Read","Write","List","Tagging"]}]}
        """.formatted(ACCESS_KEY, SECRET_KEY));
    int master = freePort();
    int volume = freePort();
    int filer = freePort();
    int s3 = freePort();
    List<String> cmd = new ArrayList<>(List.of(weed.toString(), "server",
        "-dir=" + dir.resolve("data"), "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        "-master.port=" + master, "-master.port.grpc=" + freePort(),
        "-volume.port=" + volume, "-volume.port.grpc=" + freePort(),
        "-filer.port=" + filer, "-filer.port.grpc=" + freePort(),
        "-volume.max=16", "-master.volumeSizeLimitMB=64",
        "-s3", "-s3.port=" + s3, "-s3.port.grpc=" + freePort(), "-s3.config=" + config));
    Files.createDirectories(dir.resolve("data"));
    Path log = Path.of("target", "seaweedfs-" + s3 + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    SeaweedServer server = new SeaweedServer(p, s3, dir);
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    Exception last = null;
    try (S3Client client = server.client()) {
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException("SeaweedFS exited with " + p.exitValue() + "; see "
              + log);
        }
        try {
          client.listBuckets();
          return server;
        } catch (Exception e) {
          last = e;
          Thread.sleep(500);
        }
      }
    }
    server.close();
    throw new IllegalStateException("SeaweedFS did not answer S3 calls in 120 s; see " + log, last);
  }

  S3Client client() {
    return S3Client.builder()
        .endpointOverride(java.net.URI.create(endpoint()))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  static Path binary() throws Exception {
    String configured = System.getenv("RELAY_WEED_BIN");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path root = repoRoot();
    Path weed = root.resolve(".relay/bin/weed");
    if (!Files.isExecutable(weed)) {
      // Built once per checkout; later runs reuse it.
      Process build = new ProcessBuilder(root.resolve("scripts/build-seaweedfs.sh").toString(),
          root.resolve(".relay/bin").toString())
          .redirectErrorStream(true)
          .redirectOutput(Path.of("target", "seaweedfs-build.log").toAbsolutePath().toFile())
          .start();
      if (!build.waitFor(25, TimeUnit.MINUTES) || build.exitValue() != 0) {
        build.destroyForcibly();
        throw new IllegalStateException("SeaweedFS is not built and building it failed: run"
            + " scripts/build-seaweedfs.sh (see target/seaweedfs-build.log)");
      }
    }
    return weed;
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !(Files.exists(p.resolve("relay")) && Files.exists(p.resolve("pom.xml")))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the Relay checkout above "
          + Path.of("").toAbsolutePath());
    }
    return p;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteQuietly(dir.toFile());
  }

  private static void deleteQuietly(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteQuietly(c);
      }
    }
    f.delete();
  }
}
