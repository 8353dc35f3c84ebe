package dev.relay.bench;

import java.util.Collection;

/** Percentiles of a set of durations in milliseconds (nearest rank); NaN when there are none. */
public record Latencies(int count, double p50, double p99, double max) {

  public static Latencies ofMillis(Collection<Double> millis) {
    double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      return new Latencies(0, Double.NaN, Double.NaN, Double.NaN);
    }
    return new Latencies(sorted.length, percentile(sorted, 50), percentile(sorted, 99),
        sorted[sorted.length - 1]);
  }

  /** Nearest-rank percentile of sorted values: the smallest value with at least p% at or below it. */
  static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

}
