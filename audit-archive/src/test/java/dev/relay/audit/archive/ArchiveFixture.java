package dev.relay.audit.archive;

import dev.relay.store.RelayDatabase;
import dev.relay.store.audit.AuditExportRepository;
import dev.relay.store.audit.AuditKeys;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.IncrementalVerification;
import dev.relay.store.audit.NewAuditEvent;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/** A tenant's audit trail written, sealed and exported as the scheduled verifier does it. */
final class ArchiveFixture {
  static final String KEY_ID = "test-2026-12";
  static final String SECRET = Base64.getEncoder()
      .encodeToString("archive-test-key-archive-test-01".getBytes(StandardCharsets.UTF_8));
  static final AuditKeys KEYS = AuditKeys.of(Map.of(KEY_ID, SECRET), KEY_ID);

  final Jdbi jdbi;
  final AuditRepository audit;
  final AuditExporter exporter;

  ArchiveFixture(DataSource db, ArchiveStore store) {
    jdbi = RelayDatabase.jdbi(db, KEYS);
    audit = new AuditRepository(jdbi);
    exporter = new AuditExporter(audit, new AuditExportRepository(jdbi), store, 10_000, 20);
  }

  /** Appends {@code count} events to the tenant's chain, for {@code delivery}. */
  void append(String tenant, String delivery, int from, int count) {
    new TenantRepository(jdbi).upsertTenant(new Tenant(tenant, tenant, null));
    for (int i = from; i < from + count; i++) {
      audit.append(new NewAuditEvent(tenant, delivery, (long) i,
          Instant.parse("2026-12-02T10:00:00Z").plusMillis(i), "relay", "step-" + i, "ok",
          "detail " + i, null, "EMAIL", 1, null, null, null));
    }
  }

  /** What one scheduled run does for the tenant: verify, checkpoint, export. */
  AuditExporter.Result seal(String tenant) {
    IncrementalVerification v = audit.verifyFrom(tenant, 100_000);
    if (!v.intact()) {
      throw new AssertionError("chain broken before export: " + v.firstBreak());
    }
    if (v.newHead() != null) {
      audit.checkpoint(v.newHead(), Instant.now());
    }
    return exporter.export(tenant);
  }

  /** A copy of every object in {@code from}, with {@code change} applied to one of them. */
  static void copy(ArchiveStore from, ArchiveStore to, String changedKey,
      UnaryOperator<List<String>> change) {
    for (String key : from.list("")) {
      byte[] content = from.get(key).orElseThrow();
      if (key.equals(changedKey)) {
        List<String> lines = new ArrayList<>(Arrays.asList(
            new String(content, StandardCharsets.UTF_8).split("\n")));
        List<String> changed = change.apply(lines);
        if (changed == null) {
          continue; // the object is deleted
        }
        content = (String.join("\n", changed) + "\n").getBytes(StandardCharsets.UTF_8);
      }
      to.putIfAbsent(key, content);
    }
  }

  /** The tampering cases the verifier must catch, by name; each edits the given segment. */
  static Map<String, UnaryOperator<List<String>>> tamperings() {
    Map<String, UnaryOperator<List<String>>> cases = new LinkedHashMap<>();
    cases.put("edited row", lines -> {
      lines.set(2, lines.get(2).replace("\"outcome\":\"ok\"", "\"outcome\":\"refused\""));
      return lines;
    });
    cases.put("truncated (newest rows removed)", lines -> lines.subList(0, lines.size() - 2));
    cases.put("row deleted in the middle", lines -> {
      lines.remove(lines.size() / 2);
      return lines;
    });
    cases.put("rows reordered", lines -> {
      String a = lines.get(1);
      lines.set(1, lines.get(3));
      lines.set(3, a);
      return lines;
    });
    return cases;
  }
}
