package dev.relay.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Command-line options; every one has a default that fits the local stack of ./relay up. */
record Config(
    int deliveries,
    int concurrency,
    int warmup,
    URI api,
    URI mailpit,
    URI workerActuator,
    String temporalTarget,
    String namespace,
    String clientKey,
    Path relayHome,
    Path out,
    Duration timeout) {

  static final String USAGE = """
      usage: DeliveryBenchmark [--deliveries N] [--concurrency C] [--warmup W] [--timeout SECONDS]
                               [--api URL] [--mailpit URL] [--worker URL] [--temporal HOST:PORT]
                               [--namespace NS] [--client-key KEY] [--relay-home DIR] [--out FILE]""";

  static Config parse(String[] args) {
    int n = 300;
    int c = 16;
    Integer w = null;
    String api = "http://127.0.0.1:8080";
    String mailpit = "http://127.0.0.1:8025";
    String worker = "http://127.0.0.1:8081";
    String temporal = "127.0.0.1:7233";
    String namespace = "default";
    String key = "relay-demo-client-key";
    String home = ".relay";
    String out = "benchmarks/results/latest.md";
    int timeout = 180;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("-h") || flag.equals("--help")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
      }
      String v = args[++i];
      switch (flag) {
        case "--deliveries" -> n = positive(flag, v);
        case "--concurrency" -> c = positive(flag, v);
        case "--warmup" -> w = positive(flag, v);
        case "--timeout" -> timeout = positive(flag, v);
        case "--api" -> api = v;
        case "--mailpit" -> mailpit = v;
        case "--worker" -> worker = v;
        case "--temporal" -> temporal = v;
        case "--namespace" -> namespace = v;
        case "--client-key" -> key = v;
        case "--relay-home" -> home = v;
        case "--out" -> out = v;
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
      }
    }
    return new Config(n, c, w == null ? c : w, URI.create(api), URI.create(mailpit),
        URI.create(worker), temporal, namespace, key, Path.of(home), Path.of(out),
        Duration.ofSeconds(timeout));
  }

  private static int positive(String flag, String v) {
    try {
      int x = Integer.parseInt(v);
      if (x > 0) {
        return x;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(flag + " must be a positive integer, got " + v);
  }
}
