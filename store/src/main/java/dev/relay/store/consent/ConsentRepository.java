package dev.relay.store.consent;

import dev.relay.store.sealed.AtRest;
import dev.relay.store.sealed.DataErasedException;
import dev.relay.store.sealed.SealedField;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Versioned, append-only consent. Each change for a (recipient, purpose) writes version n+1
 * holding every channel's state: the channels named in the change, and the others carried
 * forward from version n. Evidence is sealed with the recipient's data key
 * ({@link SealedField#CONSENT_EVIDENCE}): erasing the recipient erases it, while the decisions
 * (who allowed what, which version, when) stay readable. Rows recorded before encryption at rest
 * keep their plaintext evidence (the table is append-only, so it is not backfilled).
 */
public class ConsentRepository {
  private final Jdbi jdbi;

  public ConsentRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Records a new consent version. Serialized per (recipient, purpose) by an advisory lock so
   * two concurrent changes get distinct versions. Returns the new version's rows.
   *
   * @param changes channel ("EMAIL"/"SMS") → granted
   */
  public List<ConsentRecord> record(String tenantId, String recipientId, String purpose,
      Map<String, Boolean> changes, String source, String evidence) {
    return jdbi.inTransaction(h -> {
      AtRest.Session session = AtRest.session(h);
      h.execute("select pg_advisory_xact_lock(hashtext(?))", "consent:" + tenantId + ":" + recipientId + ":" + purpose);
      // One timestamp for the whole version, taken under the lock: an as-of query never sees
      // half of a version.
      java.sql.Timestamp recordedAt = h.createQuery("select clock_timestamp()")
          .mapTo(java.sql.Timestamp.class).one();
      int current = h.createQuery("""
              select coalesce(max(version), 0) from consents
              where tenant_id = :t and recipient_id = :r and purpose = :p
              """)
          .bind("t", tenantId).bind("r", recipientId).bind("p", purpose)
          .mapTo(Integer.class).one();
      Map<String, Boolean> state = new TreeMap<>();
      h.createQuery("""
              select channel, granted from consents
              where tenant_id = :t and recipient_id = :r and purpose = :p and version = :v
              """)
          .bind("t", tenantId).bind("r", recipientId).bind("p", purpose).bind("v", current)
          .map((rs, ctx) -> Map.entry(rs.getString("channel"), rs.getBoolean("granted")))
          .forEach(e -> state.put(e.getKey(), e.getValue()));
      state.putAll(changes);
      int next = current + 1;
      for (Map.Entry<String, Boolean> e : state.entrySet()) {
        h.createUpdate("""
                insert into consents (tenant_id, recipient_id, purpose, version, channel, granted, source, evidence_sealed, recorded_at)
                values (:t, :r, :p, :v, :c, :g, :s, :e, :at)
                """)
            .bind("t", tenantId).bind("r", recipientId).bind("p", purpose).bind("v", next)
            .bind("c", e.getKey()).bind("g", e.getValue()).bind("s", source)
            .bind("e", session.sealText(SealedField.CONSENT_EVIDENCE, tenantId, recipientId,
                rowId(recipientId, purpose, next, e.getKey()), evidence))
            .bind("at", recordedAt)
            .execute();
      }
      return h.createQuery("""
              select * from consents
              where tenant_id = :t and recipient_id = :r and purpose = :p and version = :v
              order by channel
              """)
          .bind("t", tenantId).bind("r", recipientId).bind("p", purpose).bind("v", next)
          .map(mapper(h))
          .list();
    });
  }

  /** The channel's state in the newest version recorded at or before {@code asOf}. */
  public Optional<ConsentRecord> decisionAsOf(String tenantId, String recipientId, String purpose,
      String channel, Instant asOf) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from consents
            where tenant_id = :t and recipient_id = :r and purpose = :p and channel = :c
              and recorded_at <= :asOf
            order by version desc limit 1
            """)
        .bind("t", tenantId).bind("r", recipientId).bind("p", purpose).bind("c", channel)
        .bind("asOf", asOf)
        .map(mapper(h))
        .findOne());
  }

  /** Every version for the purpose, newest first (all channels of each version). */
  public List<ConsentRecord> history(String tenantId, String recipientId, String purpose) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from consents where tenant_id = :t and recipient_id = :r and purpose = :p
            order by version desc, channel
            """)
        .bind("t", tenantId).bind("r", recipientId).bind("p", purpose)
        .map(mapper(h))
        .list());
  }

  private static String rowId(String recipientId, String purpose, int version, String channel) {
    return recipientId + "/" + purpose + "/" + version + "/" + channel;
  }

  private static RowMapper<ConsentRecord> mapper(Handle h) {
    AtRest.Session session = AtRest.session(h);
    return (rs, ctx) -> map(rs, session);
  }

  private static ConsentRecord map(ResultSet rs, AtRest.Session session) throws SQLException {
    String recipient = rs.getString("recipient_id");
    String purpose = rs.getString("purpose");
    int version = rs.getInt("version");
    String channel = rs.getString("channel");
    String evidence = rs.getString("evidence");
    boolean erased = false;
    byte[] sealed = rs.getBytes("evidence_sealed");
    if (sealed != null) {
      try {
        evidence = session.openText(SealedField.CONSENT_EVIDENCE, rs.getString("tenant_id"),
            rowId(recipient, purpose, version, channel), sealed);
      } catch (DataErasedException e) {
        erased = true;
      }
    }
    return new ConsentRecord(recipient, purpose, version, channel, rs.getBoolean("granted"),
        rs.getString("source"), evidence, rs.getTimestamp("recorded_at").toInstant(), erased);
  }
}
