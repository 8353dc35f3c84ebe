package dev.relay.store.sealed;

import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.NewAuditEvent;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Data keys as operations: destroying them (crypto-shredding), starting new ones, re-wrapping
 * them after a KEK rotation. Every destruction is audited in the same transaction.
 */
public class DataKeyRepository {
  private final Jdbi jdbi;

  public DataKeyRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * What was destroyed.
   *
   * @param keys how many live data keys were destroyed now (0: there were none, or they were
   *     destroyed before: the call is idempotent)
   */
  public record Destruction(String tenantId, String recipientId, int keys, Instant at) {}

  /**
   * Destroys every data key of the recipient (erasure): their rendered payloads, delivery
   * requests and consent evidence can never be read again. The key rows stay as tombstones so
   * reads say "erased". New data for the recipient afterwards gets a new key.
   */
  public Destruction destroyRecipientKeys(String tenantId, String recipientId, String actor,
      String reason) {
    return jdbi.inTransaction(h -> destroy(h, tenantId, recipientId, actor, reason));
  }

  /**
   * Destroys every data key of the tenant, its recipients' keys included (offboarding): all of
   * the tenant's sealed data becomes unreadable.
   */
  public Destruction destroyTenantKeys(String tenantId, String actor, String reason) {
    return jdbi.inTransaction(h -> destroy(h, tenantId, null, actor, reason));
  }

  private static Destruction destroy(Handle h, String tenantId, String recipientId, String actor,
      String reason) {
    Instant at = h.createQuery("select clock_timestamp()").mapTo(Instant.class).one();
    int n = h.createUpdate("""
            update data_keys set wrapped_key = null, destroyed_at = :at, destroyed_by = :actor
            where tenant_id = :t and (cast(:r as text) is null or recipient_id = :r)
              and wrapped_key is not null
            """)
        .bind("t", tenantId).bind("r", recipientId).bind("at", at).bind("actor", actor)
        .execute();
    String subject = recipientId == null ? "tenant" : "recipient " + recipientId;
    AuditRepository.appendAll(h, List.of(new NewAuditEvent(tenantId, null, null, at, actor,
        recipientId == null ? "tenant-data-keys-destroyed" : "recipient-data-keys-destroyed",
        "erased", subject + ": " + n + " data key(s) destroyed"
            + (reason == null || reason.isBlank() ? "" : "; reason: " + reason),
        null, null, null, null, null, null)));
    return new Destruction(tenantId, recipientId, n, at);
  }

  /** Whether the recipient had data keys that were all destroyed and no live one since. */
  public boolean recipientErased(String tenantId, String recipientId) {
    return jdbi.withHandle(h -> h.createQuery("""
            select count(*) filter (where wrapped_key is null) > 0
               and count(*) filter (where wrapped_key is not null) = 0
            from data_keys where tenant_id = :t and recipient_id = :r
            """)
        .bind("t", tenantId).bind("r", recipientId)
        .mapTo(Boolean.class).one());
  }

  /**
   * Starts a new data key for the scope (recipient, or the tenant when {@code recipientId} is
   * null): new writes use it, values sealed before keep naming (and opening with) theirs.
   * Returns the new key's ID.
   */
  public String rotate(String tenantId, String recipientId) {
    return jdbi.inTransaction(h -> AtRest.of(h).createKey(h, tenantId, recipientId).id());
  }

  /**
   * Re-wraps up to {@code limit} live data keys that are under another KEK than the primary; run
   * it until it returns 0 after making a new KEK primary, then the old KEK can be retired. Safe
   * to run while the apps serve (each key is re-wrapped in one conditional update).
   */
  public int rewrapAll(int limit) {
    return jdbi.inTransaction(h -> {
      AtRest atRest = AtRest.of(h);
      List<AtRest.KeyRow> rows = h.createQuery("""
              select id, tenant_id, recipient_id, kek_id, wrapped_key from data_keys
              where wrapped_key is not null and kek_id <> :primary
              order by created_at limit :limit for update skip locked
              """)
          .bind("primary", atRest.keks().primaryId()).bind("limit", limit)
          .map((rs, ctx) -> new AtRest.KeyRow(rs.getString("id"), rs.getString("tenant_id"),
              rs.getString("recipient_id"), rs.getString("kek_id"), rs.getBytes("wrapped_key")))
          .list();
      for (AtRest.KeyRow row : rows) {
        byte[] material = atRest.unwrapMaterial(row);
        h.createUpdate("""
                update data_keys set kek_id = :kek, wrapped_key = :wrapped, rewrapped_at = now()
                where id = :id
                """)
            .bind("id", row.id()).bind("kek", atRest.keks().primaryId())
            .bind("wrapped", atRest.wrap(row.id(), row.tenantId(), row.recipientId(), material))
            .execute();
      }
      return rows.size();
    });
  }

  /** Live data keys per KEK ID (what still depends on each KEK). */
  public java.util.Map<String, Long> liveKeysByKek() {
    return jdbi.withHandle(h -> {
      java.util.Map<String, Long> out = new java.util.TreeMap<>();
      h.createQuery("""
              select kek_id, count(*) as n from data_keys where wrapped_key is not null
              group by kek_id
              """)
          .map((rs, ctx) -> java.util.Map.entry(rs.getString("kek_id"), rs.getLong("n")))
          .forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    });
  }
}
