package dev.relay.store.consent;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Versioned, append-only consent. Each change for a (recipient, purpose) writes version n+1
 * holding every channel's state: the channels named in the change, and the others carried
 * forward from version n.
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
                insert into consents (tenant_id, recipient_id, purpose, version, channel, granted, source, evidence, recorded_at)
                values (:t, :r, :p, :v, :c, :g, :s, :e, :at)
                """)
            .bind("t", tenantId).bind("r", recipientId).bind("p", purpose).bind("v", next)
            .bind("c", e.getKey()).bind("g", e.getValue()).bind("s", source).bind("e", evidence)
            .bind("at", recordedAt)
            .execute();
      }
      return h.createQuery("""
              select * from consents
              where tenant_id = :t and recipient_id = :r and purpose = :p and version = :v
              order by channel
              """)
          .bind("t", tenantId).bind("r", recipientId).bind("p", purpose).bind("v", next)
          .map((rs, ctx) -> map(rs))
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
        .map((rs, ctx) -> map(rs))
        .findOne());
  }

  /** Every version for the purpose, newest first (all channels of each version). */
  public List<ConsentRecord> history(String tenantId, String recipientId, String purpose) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from consents where tenant_id = :t and recipient_id = :r and purpose = :p
            order by version desc, channel
            """)
        .bind("t", tenantId).bind("r", recipientId).bind("p", purpose)
        .map((rs, ctx) -> map(rs))
        .list());
  }

  private static ConsentRecord map(ResultSet rs) throws SQLException {
    return new ConsentRecord(rs.getString("recipient_id"), rs.getString("purpose"),
        rs.getInt("version"), rs.getString("channel"), rs.getBoolean("granted"),
        rs.getString("source"), rs.getString("evidence"),
        rs.getTimestamp("recorded_at").toInstant());
  }
}
