package dev.relay.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Command-line options; every one has a default that fits the local stack of ./relay up. */
record Config(
    int deliveries,
    int concurrency,
    int warmup,
    Set<String> modes,
    List<Double> rates,
    int rateSeconds,
    Duration drain,
    int openLoopThreads,
    int burst,
    Duration burstTimeout,
    int recipientPool,
    URI api,
    URI mailpit,
    URI workerActuator,
    String temporalTarget,
    String smtpHost,
    int smtpPort,
    String namespace,
    String clientKey,
    Path relayHome,
    Path out,
    Duration timeout) {

  static final Set<String> ALL_MODES = Set.of("closed", "open", "burst", "bare");

  static final String USAGE = """
      usage: DeliveryBenchmark [--modes closed,open,bare,burst] [--deliveries N] [--concurrency C]
                               [--warmup W] [--rates R1,R2,...] [--rate-seconds S] [--drain-seconds D]
                               [--burst N] [--burst-timeout SECONDS] [--recipient-pool P]
                               [--open-loop-threads T] [--timeout SECONDS]
                               [--api URL] [--mailpit URL] [--worker URL] [--temporal HOST:PORT]
                               [--smtp HOST:PORT] [--namespace NS] [--client-key KEY]
                               [--relay-home DIR] [--out FILE]
      Default modes: closed,open,bare (the history cost is always measured); --burst N adds burst.
      --rates none skips the open loop.""";

  static Config parse(String[] args) {
    int n = 300;
    int c = 16;
    Integer w = null;
    String modes = null;
    String rates = "10,20,50,100";
    int rateSeconds = 20;
    int drain = 10;
    int threads = 256;
    int burst = 0;
    int burstTimeout = 900;
    int pool = 64;
    String api = "http://127.0.0.1:8080";
    String mailpit = "http://127.0.0.1:8025";
    String worker = "http://127.0.0.1:8081";
    String temporal = "127.0.0.1:7233";
    String smtp = "127.0.0.1:1025";
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
        case "--modes" -> modes = v;
        case "--rates" -> rates = v;
        case "--rate-seconds" -> rateSeconds = positive(flag, v);
        case "--drain-seconds" -> drain = positive(flag, v);
        case "--open-loop-threads" -> threads = positive(flag, v);
        case "--burst" -> burst = positive(flag, v);
        case "--burst-timeout" -> burstTimeout = positive(flag, v);
        case "--recipient-pool" -> pool = positive(flag, v);
        case "--timeout" -> timeout = positive(flag, v);
        case "--api" -> api = v;
        case "--mailpit" -> mailpit = v;
        case "--worker" -> worker = v;
        case "--temporal" -> temporal = v;
        case "--smtp" -> smtp = v;
        case "--namespace" -> namespace = v;
        case "--client-key" -> key = v;
        case "--relay-home" -> home = v;
        case "--out" -> out = v;
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
      }
    }
    Set<String> modeSet = new java.util.LinkedHashSet<>();
    if (modes == null) {
      modeSet.addAll(List.of("closed", "open", "bare"));
    } else {
      for (String m : modes.split(",")) {
        String mode = m.trim().toLowerCase(Locale.ROOT);
        if (!ALL_MODES.contains(mode)) {
          throw new IllegalArgumentException("unknown mode " + m + " (closed, open, bare, burst)\n" + USAGE);
        }
        modeSet.add(mode);
      }
    }
    if (burst > 0) {
      modeSet.add("burst");
    } else if (modeSet.contains("burst")) {
      burst = 10_000;
    }
    List<Double> rateList = parseRates(rates);
    if (rateList.isEmpty()) {
      modeSet.remove("open");
    }
    int colon = smtp.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--smtp must be HOST:PORT, got " + smtp);
    }
    return new Config(n, c, w == null ? c : w, Set.copyOf(modeSet), rateList, rateSeconds,
        Duration.ofSeconds(drain), threads, burst, Duration.ofSeconds(burstTimeout), pool,
        URI.create(api), URI.create(mailpit), URI.create(worker), temporal, smtp.substring(0, colon),
        positive("--smtp port", smtp.substring(colon + 1)), namespace, key, Path.of(home),
        Path.of(out), Duration.ofSeconds(timeout));
  }

  boolean mode(String m) {
    return modes.contains(m);
  }

  /** Ascending, so the open loop can stop at the first rate that is not sustainable. */
  static List<Double> parseRates(String v) {
    List<Double> rates = new ArrayList<>();
    if (v.equalsIgnoreCase("none")) {
      return rates;
    }
    for (String r : v.split(",")) {
      try {
        double rate = Double.parseDouble(r.trim());
        if (rate > 0 && rate <= 10_000) {
          rates.add(rate);
          continue;
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new IllegalArgumentException("--rates takes positive numbers (per second, ≤ 10000), got " + r);
    }
    return rates.stream().distinct().sorted().toList();
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
