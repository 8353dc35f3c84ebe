package dev.relay.activities.audit;

import dev.relay.audit.archive.AuditExporter;
import dev.relay.contracts.activities.AuditSealActivities;
import dev.relay.contracts.activities.AuditSealReport;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.ChainBreak;
import dev.relay.store.audit.IncrementalVerification;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled verifier: per tenant, verify what was appended since the newest checkpoint, sign
 * a checkpoint at the new head, export checkpointed rows off-site. A break raises
 * {@code relay_audit_chain_breaks_total{tenant}} and logs an ERROR naming tenant and chain_seq;
 * the tenant then gets no new checkpoint or export until an operator has dealt with it
 * (docs/runbooks/audit-break.md), so the evidence stays where it was found.
 */
public class AuditSealActivitiesImpl implements AuditSealActivities {
  private static final Logger log = LoggerFactory.getLogger(AuditSealActivitiesImpl.class);
  /** Break lines carried back into workflow history; the log has them all. */
  private static final int MAX_REPORTED_BREAKS = 5;

  private final AuditRepository audit;
  private final AuditExporter exporter;
  private final MeterRegistry registry;
  private final Clock clock;
  private final int maxRowsPerTenant;

  /**
   * @param exporter null when no archive is configured (verification and checkpoints only)
   * @param registry null for no metrics
   * @param maxRowsPerTenant rows verified per tenant per run; the rest waits for the next run
   */
  public AuditSealActivitiesImpl(AuditRepository audit, AuditExporter exporter,
      MeterRegistry registry, Clock clock, int maxRowsPerTenant) {
    this.audit = audit;
    this.exporter = exporter;
    this.registry = registry;
    this.clock = clock;
    this.maxRowsPerTenant = maxRowsPerTenant;
  }

  @Override
  public AuditSealReport verifyAndExport() {
    List<String> tenants = audit.tenants();
    long rows = 0;
    int checkpoints = 0;
    int segments = 0;
    int exportFailures = 0;
    List<String> breaks = new ArrayList<>();
    boolean archiveDown = false;
    for (String tenant : tenants) {
      IncrementalVerification v = audit.verifyFrom(tenant, maxRowsPerTenant);
      rows += v.rowsChecked();
      if (!v.intact()) {
        broken(v.firstBreak(), breaks);
        continue;
      }
      if (v.newHead() != null) {
        audit.checkpoint(v.newHead(), clock.instant());
        checkpoints++;
      }
      if (exporter == null) {
        continue;
      }
      if (archiveDown) {
        // One failure per run is enough to know: the rest waits for the next run instead of
        // spending the activity's time on timeouts.
        exportFailures++;
        continue;
      }
      try {
        AuditExporter.Result exported = exporter.export(tenant);
        segments += exported.segments();
        if (exported.mismatch() != null) {
          broken(exported.mismatch(), breaks);
        }
      } catch (RuntimeException e) {
        // The archive is down or refuses a write: the rows stay pending for the next run.
        exportFailures++;
        archiveDown = true;
        count("relay.audit.export.failures", tenant);
        log.warn("Audit export failed for tenant {} (later tenants wait for the next run): {}",
            tenant, e.toString());
      }
    }
    return new AuditSealReport(tenants.size(), rows, checkpoints, segments,
        breaks.stream().limit(MAX_REPORTED_BREAKS).toList(), exportFailures);
  }

  private void broken(ChainBreak b, List<String> breaks) {
    count("relay.audit.chain.breaks", b.tenantId());
    log.error("AUDIT CHAIN BROKEN: tenant={} chain_seq={}: {} (docs/runbooks/audit-break.md)",
        b.tenantId(), b.chainSeq(), b.reason());
    breaks.add(b.toString());
  }

  private void count(String name, String tenant) {
    if (registry != null) {
      Counter.builder(name).tag("tenant", tenant).register(registry).increment();
    }
  }
}
