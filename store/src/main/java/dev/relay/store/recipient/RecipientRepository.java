package dev.relay.store.recipient;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Recipients and their contact points; every query is scoped to a tenant. A contact point reads
 * as suppressed when the server suppressed it ({@link SuppressionRepository}, which a PUT cannot
 * clear) or when the client said so.
 */
public class RecipientRepository {
  private final Jdbi jdbi;

  public RecipientRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Creates or replaces a recipient and its contact points in one transaction; contact points
   * not in the new list are removed. Returns the stored recipient.
   */
  public Recipient upsert(String tenantId, String id, String displayName, boolean active,
      List<ContactPoint> contacts) {
    return jdbi.inTransaction(h -> {
      h.createUpdate("""
              insert into recipients (tenant_id, id, display_name, active) values (:t, :id, :name, :active)
              on conflict (tenant_id, id) do update set display_name = excluded.display_name,
                active = excluded.active, updated_at = now()
              """)
          .bind("t", tenantId).bind("id", id).bind("name", displayName).bind("active", active)
          .execute();
      h.createUpdate("delete from contact_points where tenant_id = :t and recipient_id = :id")
          .bind("t", tenantId).bind("id", id).execute();
      for (ContactPoint c : contacts) {
        h.createUpdate("""
                insert into contact_points (tenant_id, recipient_id, channel, address, verified, suppressed_reason)
                values (:t, :id, :channel, :address, :verified, :suppressed)
                """)
            .bind("t", tenantId).bind("id", id)
            .bind("channel", c.channel()).bind("address", c.address())
            .bind("verified", c.verified()).bind("suppressed", c.suppressedReason())
            .execute();
      }
      return find(h, tenantId, id).orElseThrow();
    });
  }

  public Optional<Recipient> find(String tenantId, String id) {
    return jdbi.withHandle(h -> find(h, tenantId, id));
  }

  public boolean exists(String tenantId, String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "select count(*) from recipients where tenant_id = :t and id = :id")
        .bind("t", tenantId).bind("id", id).mapTo(Integer.class).one() > 0);
  }

  private static Optional<Recipient> find(Handle h, String tenantId, String id) {
    List<ContactPoint> contacts = h.createQuery("""
            select c.channel, c.address, c.verified,
              coalesce(s.reason || coalesce(' (' || s.detail || ')', ''), c.suppressed_reason)
                as suppressed_reason,
              (v.address is not null) as relay_verified
            from contact_points c
            left join relay_verified_contacts v on v.tenant_id = c.tenant_id
              and v.channel = c.channel and v.address = c.address
            left join suppressions s on s.tenant_id = c.tenant_id and s.channel = c.channel
              and s.address = c.address and s.cleared_at is null
            where c.tenant_id = :t and c.recipient_id = :id order by c.channel
            """)
        .bind("t", tenantId).bind("id", id)
        .map((rs, ctx) -> new ContactPoint(rs.getString("channel"), rs.getString("address"),
            rs.getBoolean("verified"), rs.getString("suppressed_reason"),
            rs.getBoolean("relay_verified")))
        .list();
    return h.createQuery("""
            select tenant_id, id, display_name, active, created_at, updated_at from recipients
            where tenant_id = :t and id = :id
            """)
        .bind("t", tenantId).bind("id", id)
        .map((rs, ctx) -> new Recipient(rs.getString("tenant_id"), rs.getString("id"),
            rs.getString("display_name"), rs.getBoolean("active"), contacts,
            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant()))
        .findOne();
  }
}
