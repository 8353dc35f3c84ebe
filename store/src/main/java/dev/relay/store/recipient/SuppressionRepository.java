package dev.relay.store.recipient;

import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.NewAuditEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Suppressions the server owns: written when a provider says a contact point is dead for good,
 * lifted only by an explicit support action. Each change is audited in the same transaction
 * (step {@code suppression}), and only when it changed something, so retries audit nothing twice.
 */
public class SuppressionRepository {
  private final Jdbi jdbi;

  public SuppressionRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Records a suppression inside the caller's transaction unless the contact point already has
   * an active one (idempotent).
   *
   * @return true when this call added it
   */
  public static boolean record(Handle h, String tenantId, String channel, String address,
      SuppressionReason reason, String detail, String deliveryId) {
    boolean added = h.createUpdate("""
            insert into suppressions (tenant_id, channel, address, reason, detail, delivery_id)
            values (:t, :channel, :address, :reason, :detail, :delivery)
            on conflict (tenant_id, channel, address) where cleared_at is null do nothing
            """)
        .bind("t", tenantId).bind("channel", channel).bind("address", address)
        .bind("reason", reason.name()).bind("detail", detail).bind("delivery", deliveryId)
        .execute() == 1;
    if (added) {
      audit(h, tenantId, "relay", "added", channel + " contact point suppressed: " + reason
          + (detail == null ? "" : " (" + detail + ")")
          + (deliveryId == null ? "" : ", revealed by delivery " + deliveryId));
    }
    return added;
  }

  public boolean record(String tenantId, String channel, String address, SuppressionReason reason,
      String detail, String deliveryId) {
    return jdbi.inTransaction(h -> record(h, tenantId, channel, address, reason, detail,
        deliveryId));
  }

  /** The active suppressions of a tenant's addresses on a channel. */
  public Optional<Suppression> active(String tenantId, String channel, String address) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from suppressions
            where tenant_id = :t and channel = :channel and address = :address
              and cleared_at is null
            """)
        .bind("t", tenantId).bind("channel", channel).bind("address", address)
        .map((rs, ctx) -> map(rs)).findOne());
  }

  /** Every suppression, active or lifted, of the given addresses, newest first. */
  public List<Suppression> history(String tenantId, List<String> addresses) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from suppressions where tenant_id = :t and address = any(:addresses)
            order by created_at desc, id desc
            """)
        .bind("t", tenantId).bindArray("addresses", String.class, addresses)
        .map((rs, ctx) -> map(rs)).list());
  }

  /**
   * Lifts the active suppression of a contact point (a support action).
   *
   * @return the lifted suppression, or empty when there was none
   */
  public Optional<Suppression> clear(String tenantId, String channel, String address,
      String actor, String reason, String recipientId) {
    return jdbi.inTransaction(h -> {
      Optional<Suppression> lifted = h.createQuery("""
              update suppressions set cleared_at = now(), cleared_by = :actor, clear_reason = :why
              where tenant_id = :t and channel = :channel and address = :address
                and cleared_at is null
              returning *
              """)
          .bind("t", tenantId).bind("channel", channel).bind("address", address)
          .bind("actor", actor).bind("why", reason)
          .map((rs, ctx) -> map(rs)).findOne();
      lifted.ifPresent(s -> audit(h, tenantId, actor, "lifted", channel
          + " contact point of recipient " + recipientId + " no longer suppressed (was "
          + s.describe() + "): " + reason));
      return lifted;
    });
  }

  private static void audit(Handle h, String tenantId, String actor, String outcome,
      String detail) {
    // A tenant event, not one of the delivery's (those are numbered by its workflow); written
    // once because only the call that changed the row writes it.
    AuditRepository.appendAll(h, List.of(new NewAuditEvent(tenantId, null, null,
        Instant.now(), actor, "suppression", outcome, detail, null, null, null, null, null,
        null)));
  }

  static Suppression map(ResultSet rs) throws SQLException {
    return new Suppression(rs.getLong("id"), rs.getString("tenant_id"), rs.getString("channel"),
        rs.getString("address"), SuppressionReason.valueOf(rs.getString("reason")),
        rs.getString("detail"), rs.getString("delivery_id"), instant(rs, "created_at"),
        instant(rs, "cleared_at"), rs.getString("cleared_by"), rs.getString("clear_reason"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
