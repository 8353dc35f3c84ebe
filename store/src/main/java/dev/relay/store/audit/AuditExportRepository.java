package dev.relay.store.audit;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Which audit rows were copied off-site: one row per exported segment (append-only, like the
 * trail itself). The next export starts after the newest one.
 */
public class AuditExportRepository {
  private final Jdbi jdbi;

  public AuditExportRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** A segment written to the object store. */
  public record ExportedSegment(String tenantId, long fromChainSeq, long toChainSeq,
      String objectKey, String sha256) {}

  /** The newest segment exported for the tenant. */
  public Optional<ExportedSegment> latest(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("""
            select tenant_id, from_chain_seq, to_chain_seq, object_key, sha256
            from audit_exports where tenant_id = :t order by to_chain_seq desc limit 1
            """)
        .bind("t", tenantId)
        .map((rs, ctx) -> new ExportedSegment(rs.getString(1), rs.getLong(2), rs.getLong(3),
            rs.getString(4), rs.getString(5)))
        .findOne());
  }

  /** Records a segment; recording the same one again (a retried run) changes nothing. */
  public void record(ExportedSegment s) {
    jdbi.useHandle(h -> h.createUpdate("""
            insert into audit_exports (tenant_id, from_chain_seq, to_chain_seq, object_key, sha256)
            values (:t, :f, :to, :k, :sha)
            on conflict (tenant_id, from_chain_seq) do nothing
            """)
        .bind("t", s.tenantId()).bind("f", s.fromChainSeq()).bind("to", s.toChainSeq())
        .bind("k", s.objectKey()).bind("sha", s.sha256()).execute());
  }
}
