package dev.relay.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The deliveries of one phase: when each was due (closed loop: when it was sent; open loop: its
 * slot on the schedule, so a late offer counts against the system, not the clock), when it was
 * accepted, its id, and when its message(s) arrived in Mailpit.
 */
final class Tally {
  final String tag;
  final int n;
  final Instant[] due;
  final Instant[] accepted;
  final String[] ids;
  final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  Map<Integer, List<Instant>> arrivals = Map.of();

  Tally(String tag, int n) {
    this.tag = tag;
    this.n = n;
    this.due = new Instant[n];
    this.accepted = new Instant[n];
    this.ids = new String[n];
  }

  void fail(int i, Exception e) {
    if (failures.size() < 20) {
      failures.add(i + ": " + e);
    }
  }

  int acceptedCount() {
    return (int) java.util.Arrays.stream(accepted).filter(Objects::nonNull).count();
  }

  /** Ids of the accepted deliveries, in offer order; none is an error worth its reasons. */
  List<String> acceptedIds() {
    List<String> accepted = java.util.Arrays.stream(ids).filter(Objects::nonNull).toList();
    if (accepted.isEmpty()) {
      throw new IllegalStateException("nothing was accepted in phase " + tag + ": " + failures);
    }
    return accepted;
  }


  /** Accepted deliveries whose message arrived (the earliest one counts). */
  int delivered() {
    int d = 0;
    for (int i = 0; i < n; i++) {
      d += accepted[i] != null && arrivals.containsKey(i) ? 1 : 0;
    }
    return d;
  }

  /** Deliveries with more than one message. */
  int duplicates() {
    return (int) arrivals.values().stream().filter(l -> l.size() > 1).count();
  }

  Instant firstArrival(int i) {
    return arrivals.get(i).stream().min(Instant::compareTo).orElseThrow();
  }

  Latencies acceptMs() {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (accepted[i] != null) {
        ms.add(millis(due[i], accepted[i]));
      }
    }
    return Latencies.ofMillis(ms);
  }

  Latencies deliverMs() {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (accepted[i] != null && arrivals.containsKey(i)) {
        ms.add(millis(accepted[i], firstArrival(i)));
      }
    }
    return Latencies.ofMillis(ms);
  }

  Instant firstDue() {
    return java.util.Arrays.stream(due).filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
  }

  Instant lastArrival() {
    Instant last = null;
    for (int i = 0; i < n; i++) {
      if (accepted[i] != null && arrivals.containsKey(i)) {
        Instant a = firstArrival(i);
        last = last == null || a.isAfter(last) ? a : last;
      }
    }
    return last;
  }

  static double millis(Instant from, Instant to) {
    return java.time.Duration.between(from, to).toNanos() / 1_000_000.0;
  }
}
