package dev.relay.audit.archive;

import dev.relay.store.Hashing;
import dev.relay.store.audit.AuditCheckpoint;
import dev.relay.store.audit.AuditExportRepository.ExportedSegment;
import dev.relay.store.audit.AuditRecord;
import dev.relay.store.audit.AuditRepository;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts a tenant's trail back into a database from the off-site copy, after the database was lost:
 * only an archive that verifies is restored, row for row as exported (nothing is re-signed), with
 * its checkpoints and export records so that appends and exports go on from there.
 */
public final class ArchiveRestore {
  private final ArchiveStore store;
  private final ArchiveVerifier verifier;

  public ArchiveRestore(ArchiveStore store, ArchiveVerifier verifier) {
    this.store = store;
    this.verifier = verifier;
  }

  /** Restores {@code tenantId}; answers the number of rows. Fails if the copy does not verify. */
  public long restore(String tenantId, AuditRepository into) {
    ArchiveVerifier.TenantReport report = verifier.verify(tenantId);
    if (!report.intact()) {
      throw new IllegalStateException("not restoring: " + report.describe());
    }
    String dir = ArchiveFormat.tenantDir(tenantId) + "/";
    List<AuditRecord> rows = new ArrayList<>();
    List<AuditCheckpoint> checkpoints = new ArrayList<>();
    List<ExportedSegment> segments = new ArrayList<>();
    for (String key : store.list(dir)) {
      byte[] content = store.get(key).orElseThrow();
      long[] range = ArchiveFormat.segmentRange(key);
      if (range != null) {
        rows.addAll(ArchiveFormat.decodeRows(key, content));
        segments.add(new ExportedSegment(tenantId, range[0], range[1], key,
            Hashing.sha256Hex(content)));
      } else if (ArchiveFormat.isCheckpoint(key)) {
        checkpoints.add(ArchiveFormat.decodeCheckpoint(key, content));
      }
    }
    into.restore(tenantId, rows, checkpoints, segments);
    return rows.size();
  }
}
