package dev.relay.audit.archive;

import dev.relay.store.Hashing;
import dev.relay.store.audit.AuditCheckpoint;
import dev.relay.store.audit.AuditExportRepository;
import dev.relay.store.audit.AuditExportRepository.ExportedSegment;
import dev.relay.store.audit.AuditRecord;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.ChainBreak;
import java.util.List;

/**
 * Copies a tenant's verified rows off-site: each run writes the rows after the last exported
 * segment up to a signed checkpoint as one segment, then that checkpoint. Only checkpointed rows
 * are exported (so every segment ends at a checkpoint), and nothing is ever rewritten: a retry
 * after a crash finds the same objects and records them.
 */
public final class AuditExporter {
  private final AuditRepository audit;
  private final AuditExportRepository exports;
  private final ArchiveStore store;
  private final int maxSegmentRows;
  private final int maxSegmentsPerRun;

  public AuditExporter(AuditRepository audit, AuditExportRepository exports, ArchiveStore store,
      int maxSegmentRows, int maxSegmentsPerRun) {
    this.audit = audit;
    this.exports = exports;
    this.store = store;
    this.maxSegmentRows = maxSegmentRows;
    this.maxSegmentsPerRun = maxSegmentsPerRun;
  }

  /**
   * @param segments segments written this run
   * @param exportedTo the last row of the tenant that is off-site now (0: none)
   * @param mismatch the rows no longer matched their checkpoint (the chain broke between the
   *     verification and the export); nothing was written past it
   */
  public record Result(String tenantId, int segments, long rows, long exportedTo,
      ChainBreak mismatch) {}

  public Result export(String tenantId) {
    long lastTo = exports.latest(tenantId).map(ExportedSegment::toChainSeq).orElse(0L);
    int segments = 0;
    long rows = 0;
    while (segments < maxSegmentsPerRun) {
      List<AuditCheckpoint> pending = audit.checkpointsAfter(tenantId, lastTo);
      if (pending.isEmpty()) {
        break;
      }
      // The farthest checkpoint within one segment's size; the nearest one if none is.
      long limit = lastTo + maxSegmentRows;
      AuditCheckpoint end = pending.get(0);
      for (AuditCheckpoint c : pending) {
        if (c.chainSeq() <= limit) {
          end = c;
        }
      }
      // A run that crashed after writing a segment but before recording it: finish that one, so
      // no two segments start at the same row.
      List<String> written = store.list(ArchiveFormat.segmentPrefix(tenantId, lastTo + 1));
      if (!written.isEmpty()) {
        long to = ArchiveFormat.segmentRange(written.get(0))[1];
        end = pending.stream().filter(c -> c.chainSeq() == to).findFirst().orElse(end);
      }
      List<AuditRecord> segment = audit.range(tenantId, lastTo + 1, end.chainSeq());
      if (segment.size() != end.chainSeq() - lastTo
          || !segment.get(segment.size() - 1).hash().equals(end.hash())) {
        return new Result(tenantId, segments, rows, lastTo, new ChainBreak(tenantId, lastTo + 1,
            "rows " + (lastTo + 1) + "-" + end.chainSeq() + " no longer match the signed"
                + " checkpoint at row " + end.chainSeq() + ": not exported"));
      }
      byte[] content = ArchiveFormat.encodeRows(segment);
      String key = ArchiveFormat.segmentKey(tenantId, lastTo + 1, end.chainSeq());
      try {
        store.putIfAbsent(key, content);
        store.putIfAbsent(ArchiveFormat.checkpointKey(tenantId, end.chainSeq()),
            ArchiveFormat.encodeCheckpoint(end));
      } catch (ArchiveStore.ArchiveConflictException e) {
        // The copy holds these rows with other content: the database's rows changed since they
        // were exported (or were restored from elsewhere). A break, not an outage.
        return new Result(tenantId, segments, rows, lastTo, new ChainBreak(tenantId, lastTo + 1,
            "the off-site copy already holds rows " + (lastTo + 1) + "-" + end.chainSeq()
                + " with other content than the database: " + e.getMessage()));
      }
      exports.record(new ExportedSegment(tenantId, lastTo + 1, end.chainSeq(), key,
          Hashing.sha256Hex(content)));
      segments++;
      rows += segment.size();
      lastTo = end.chainSeq();
    }
    return new Result(tenantId, segments, rows, lastTo, null);
  }
}
