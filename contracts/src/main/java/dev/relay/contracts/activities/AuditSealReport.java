package dev.relay.contracts.activities;

import java.util.List;

/**
 * What one verifier run found; small on purpose (it lands in workflow history every run).
 *
 * @param breaks one line per broken tenant ("tenant acme, chain_seq 42: ..."), at most a few
 * @param exportFailures tenants whose export failed this run (the archive was unreachable); they
 *     are exported on a later run
 */
public record AuditSealReport(int tenants, long rowsVerified, int checkpoints,
    int segmentsExported, List<String> breaks, int exportFailures) {

  public AuditSealReport {
    breaks = breaks == null ? List.of() : List.copyOf(breaks);
  }
}
