package dev.relay.bench;

import java.time.Instant;
import java.util.List;

/**
 * One arm's closed-loop phase.
 *
 * @param requested deliveries (workflows) the timed phase asked for
 * @param accepted how many were accepted (Relay: 202; minimal and bare: start confirmed)
 * @param completed how many arrived in Mailpit (bare: how many workflows completed)
 * @param duplicates deliveries with more than one message (bare: always 0)
 * @param acceptMs request → accepted
 * @param completeMs accepted → message in Mailpit (bare: → workflow closed on the server)
 * @param perSecond completed / (last completion − first request)
 * @param wallSeconds first request → last completion
 * @param cost one workflow's history, counted (see TemporalCost)
 * @param cpu CPU time per process during the timed phase
 * @param notes errors and anything else worth a look
 */
public record PhaseResult(
    String name,
    int requested,
    int accepted,
    int completed,
    int duplicates,
    Latencies acceptMs,
    Latencies completeMs,
    double perSecond,
    double wallSeconds,
    TemporalCost cost,
    CpuUse cpu,
    List<String> notes) {

  /** From a phase whose completions are Mailpit arrivals. */
  static PhaseResult of(String name, Tally t, TemporalCost cost, CpuUse cpu) {
    Instant first = t.firstDue();
    Instant last = t.lastArrival();
    double wall = first == null || last == null ? Double.NaN : Tally.millis(first, last) / 1000.0;
    List<String> notes = new java.util.ArrayList<>(t.failures);
    if (t.duplicates() > 0) {
      notes.add(t.duplicates() + " deliveries got more than one message");
    }
    return new PhaseResult(name, t.n, t.acceptedCount(), t.delivered(), t.duplicates(), t.acceptMs(),
        t.deliverMs(), t.delivered() / wall, wall, cost, cpu, List.copyOf(notes));
  }
}
