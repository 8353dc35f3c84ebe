package dev.relay.audit.archive;

import dev.relay.store.audit.AuditChain;
import dev.relay.store.audit.AuditCheckpoint;
import dev.relay.store.audit.AuditKeys;
import dev.relay.store.audit.AuditRecord;
import dev.relay.store.audit.ChainBreak;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Recomputes every tenant's chain from the archive alone (no database): each row's HMAC with the
 * audit key, the links between rows and segments, and the signed checkpoints. Tells an intact
 * archive from an edited row (HMAC), a deleted row or segment (a gap or a broken link), a
 * reordering (a row out of place) and removed newest rows (a checkpoint or segment name that
 * covers rows which are not there).
 */
public final class ArchiveVerifier {
  private final ArchiveStore store;
  private final AuditKeys keys;

  public ArchiveVerifier(ArchiveStore store, AuditKeys keys) {
    this.store = store;
    this.keys = keys;
  }

  /** What the archive says about one tenant. */
  public record TenantReport(String tenantId, long rows, int segments, int checkpoints,
      long lastChainSeq, ChainBreak firstBreak) {

    public boolean intact() {
      return firstBreak == null;
    }

    public String describe() {
      return intact()
          ? "tenant " + tenantId + ": intact, " + rows + " rows in " + segments + " segments, "
              + checkpoints + " signed checkpoints, last row " + lastChainSeq
          : "tenant " + tenantId + ": BROKEN at chain_seq " + firstBreak.chainSeq() + ": "
              + firstBreak.reason();
    }
  }

  /** The tenants that have anything in the archive. */
  public List<String> tenants() {
    Set<String> tenants = new LinkedHashSet<>();
    for (String key : store.list("")) {
      if (key.contains("/")) {
        tenants.add(ArchiveFormat.tenantOf(key));
      }
    }
    return List.copyOf(tenants);
  }

  public List<TenantReport> verifyAll() {
    return tenants().stream().map(this::verify).toList();
  }

  public TenantReport verify(String tenantId) {
    String dir = ArchiveFormat.tenantDir(tenantId) + "/";
    TreeMap<Long, String> segments = new TreeMap<>();
    TreeMap<Long, AuditCheckpoint> checkpoints = new TreeMap<>();
    List<ChainBreak> problems = new ArrayList<>();
    for (String key : store.list(dir)) {
      long[] range = ArchiveFormat.segmentRange(key);
      if (range != null) {
        segments.put(range[0], key);
      } else if (ArchiveFormat.isCheckpoint(key)) {
        try {
          AuditCheckpoint c = ArchiveFormat.decodeCheckpoint(key, read(key));
          Optional<String> bad = c.tenantId().equals(tenantId)
              ? AuditChain.checkCheckpoint(keys, c)
              : Optional.of(key + " names tenant " + c.tenantId());
          if (bad.isPresent()) {
            problems.add(new ChainBreak(tenantId, c.chainSeq(), bad.get()));
          }
          checkpoints.put(c.chainSeq(), c);
        } catch (ArchiveFormat.MalformedArchiveException e) {
          problems.add(new ChainBreak(tenantId, 0, e.getMessage()));
        }
      }
    }
    AuditChain.Walker walker = new AuditChain.Walker(keys);
    long rows = 0;
    TreeMap<Long, String> hashes = new TreeMap<>();
    outer:
    for (var entry : segments.entrySet()) {
      String key = entry.getValue();
      long[] range = ArchiveFormat.segmentRange(key);
      if (range[0] != walker.lastSeq() + 1) {
        problems.add(new ChainBreak(tenantId, walker.lastSeq() + 1, range[0] > walker.lastSeq() + 1
            ? "rows " + (walker.lastSeq() + 1) + "-" + (range[0] - 1)
                + " are missing from the archive (a segment was deleted)"
            : "segment " + key + " overlaps the rows before it"));
        break;
      }
      List<AuditRecord> segmentRows;
      try {
        segmentRows = ArchiveFormat.decodeRows(key, read(key));
      } catch (ArchiveFormat.MalformedArchiveException e) {
        problems.add(new ChainBreak(tenantId, range[0], e.getMessage()));
        break;
      }
      for (AuditRecord r : segmentRows) {
        if (!r.tenantId().equals(tenantId)) {
          problems.add(new ChainBreak(tenantId, r.chainSeq(), "row " + r.chainSeq() + " in "
              + key + " belongs to tenant " + r.tenantId()));
          break outer;
        }
        if (!walker.next(r)) {
          problems.add(walker.firstBreak());
          break outer;
        }
        hashes.put(r.chainSeq(), r.hash());
        rows++;
      }
      if (walker.lastSeq() != range[1]) {
        problems.add(new ChainBreak(tenantId, walker.lastSeq() + 1, "segment " + key
            + " should hold rows " + range[0] + "-" + range[1] + " but ends at row "
            + walker.lastSeq() + ": its newest rows were removed"));
        break;
      }
      if (!checkpoints.containsKey(range[1])) {
        problems.add(new ChainBreak(tenantId, range[1], "segment " + key
            + " has no signed checkpoint at its last row " + range[1]
            + " (checkpoint deleted, or the segment was made up)"));
        break;
      }
    }
    for (AuditCheckpoint c : checkpoints.values()) {
      String hash = hashes.get(c.chainSeq());
      if (hash == null && c.chainSeq() > walker.lastSeq() && problems.isEmpty()) {
        problems.add(new ChainBreak(tenantId, walker.lastSeq() + 1, "a signed checkpoint covers"
            + " row " + c.chainSeq() + " but the archive ends at row " + walker.lastSeq()
            + ": the newest rows were removed"));
      } else if (hash != null && !hash.equals(c.hash())) {
        problems.add(new ChainBreak(tenantId, c.chainSeq(), "row " + c.chainSeq()
            + " does not have the hash its signed checkpoint pinned"));
      }
    }
    ChainBreak first = problems.stream()
        .min((a, b) -> Long.compare(a.chainSeq(), b.chainSeq())).orElse(null);
    return new TenantReport(tenantId, rows, segments.size(), checkpoints.size(),
        walker.lastSeq(), first);
  }

  private byte[] read(String key) {
    return store.get(key).orElseThrow(() -> new ArchiveFormat.MalformedArchiveException(
        key + " was listed but cannot be read"));
  }
}
