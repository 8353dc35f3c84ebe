package dev.relay.systemtests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fault matrix's one table: a row per fault with what was accepted, delivered, lost and sent
 * twice, and how long the row took to converge after the fault ended; then the notes of each row,
 * the settings it ran with and the definitions. Rendered as Markdown (stdout and
 * {@code system-tests/target/fault-matrix.md}).
 */
final class FaultMatrixTable {

  /** One row's figures. {@code problems} and {@code error} fail the row like lost or duplicates. */
  record Row(int number, String fault, int deliveries, int delivered, int lost, int duplicates,
      int possibleDuplicates, Duration p99Converge, int supportRetries, Duration wall,
      List<String> notes, List<String> problems, String error) {

    boolean passed() {
      return error == null && lost == 0 && duplicates == 0 && problems.isEmpty() && deliveries > 0;
    }

    static Row failed(int number, String fault, Duration wall, List<String> notes, String error) {
      return new Row(number, fault, 0, 0, 0, 0, 0, null, 0, wall, notes, List.of(), error);
    }
  }

  private final List<Row> rows = new ArrayList<>();

  void add(Row row) {
    rows.add(row);
  }

  List<Row> rows() {
    return Collections.unmodifiableList(rows);
  }

  boolean passed() {
    return !rows.isEmpty() && rows.stream().allMatch(Row::passed);
  }

  /** p99 by nearest rank of the values (0 when there are none). */
  static Duration p99(List<Duration> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Duration> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(0.99 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  static String seconds(Duration d) {
    return d == null ? "—" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  String render(Map<String, String> settings, Duration stackStart, Duration total) {
    StringBuilder b = new StringBuilder();
    b.append("## Relay fault matrix\n\n");
    b.append("| # | fault | deliveries | delivered | lost | duplicates | possible-duplicates "
        + "| p99 time to converge after the fault ends | support RETRYs | row wall time | result |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Row r : rows) {
      b.append("| ").append(r.number())
          .append(" | ").append(r.fault())
          .append(" | ").append(r.deliveries())
          .append(" | ").append(r.delivered())
          .append(" | ").append(r.lost())
          .append(" | ").append(r.duplicates())
          .append(" | ").append(r.possibleDuplicates())
          .append(" | ").append(seconds(r.p99Converge()))
          .append(" | ").append(r.supportRetries())
          .append(" | ").append(seconds(r.wall()))
          .append(" | ").append(r.passed() ? "pass" : "**FAIL**")
          .append(" |\n");
    }
    long accepted = rows.stream().mapToLong(Row::deliveries).sum();
    long delivered = rows.stream().mapToLong(Row::delivered).sum();
    b.append("\nTotal: ").append(accepted).append(" deliveries accepted, ").append(delivered)
        .append(" delivered, ").append(rows.stream().mapToInt(Row::lost).sum()).append(" lost, ")
        .append(rows.stream().mapToInt(Row::duplicates).sum()).append(" duplicates, ")
        .append(rows.stream().mapToInt(Row::possibleDuplicates).sum())
        .append(" possible duplicates. Wall time ").append(seconds(total))
        .append(" (stack start ").append(seconds(stackStart)).append(").\n");

    b.append("\n### What happened in each row\n\n");
    for (Row r : rows) {
      b.append("- **").append(r.number()).append(". ").append(r.fault()).append("**");
      if (r.error() != null) {
        b.append(" — ERROR: ").append(r.error());
      }
      b.append('\n');
      for (String note : r.notes()) {
        b.append("  - ").append(note).append('\n');
      }
      for (String problem : r.problems()) {
        b.append("  - PROBLEM: ").append(problem).append('\n');
      }
    }

    b.append("\n### Settings\n\n");
    settings.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));

    b.append("\n### Definitions\n\n");
    b.append("- **deliveries**: requests the API accepted (202) in the row; every request is retried "
        + "by its client with the same Idempotency-Key until it is accepted (a request never "
        + "accepted fails the row).\n");
    b.append("- **delivered**: DELIVERED at the end of the row and at least one message reached the "
        + "recipient (GreenMail, either relay; or the Twilio peer).\n");
    b.append("- **lost**: accepted but not delivered at the end. A delivery waiting in "
        + "NEEDS_ATTENTION counts only where the row expects it (all email down without a "
        + "consented substitute; provider faults that outlast the tries); it is then retried by "
        + "support (`RETRY`, up to 3 rounds, counted in *support RETRYs*) and counts as lost only "
        + "if that does not deliver it. DELIVERED with nothing at the recipient is lost too.\n");
    b.append("- **duplicates**: more than one distinct message reaching one recipient: GreenMail "
        + "messages with different Message-IDs, SMS at the peer beyond the first, or an email and "
        + "an SMS for the same delivery. Each extra one counts.\n");
    b.append("- **possible-duplicates**: extra copies with the same Message-ID (an SMTP resend after "
        + "an ambiguous failure; receivers dedupe on Message-ID). Counted, not called duplicates.\n");
    b.append("- **p99 time to converge**: nearest-rank p99 over the row's delivered deliveries of "
        + "max(0, deliveredAt − faultEndedAt); deliveredAt is the time of the DELIVERED event in "
        + "the delivery's audit timeline; the fault ends when the test removes it (process started "
        + "again, relay or frontend reachable again, peer back to `ok`). 0 means everything was "
        + "delivered while the fault lasted.\n");
    b.append("- A row **passes** when lost = 0 and duplicates = 0, and no delivery had more than one "
        + "workflow run or `accept` event, and no SMS went to a recipient without SMS consent.\n");
    return b.toString();
  }
}
