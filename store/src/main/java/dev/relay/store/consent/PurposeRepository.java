package dev.relay.store.consent;

import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.NewAuditEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Which of a tenant's purposes are non-essential (their emails offer one-click unsubscribe). A
 * purpose nobody marked is essential.
 */
public class PurposeRepository {
  /** A purpose's setting. */
  public record PurposeSetting(String purpose, boolean essential, Instant updatedAt) {}

  /** Where a one-click unsubscribe of a delivery's email goes. */
  public record UnsubscribeTarget(String tenantId, String recipientId, String purpose) {}

  private final Jdbi jdbi;

  public PurposeRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Sets a purpose essential or not, audited (step {@code purpose}) when it changes. */
  public PurposeSetting set(String tenantId, String purpose, boolean essential, String actor) {
    return jdbi.inTransaction(h -> {
      Boolean before = h.createQuery("""
              select essential from purpose_settings where tenant_id = :t and purpose = :p
              for update
              """).bind("t", tenantId).bind("p", purpose).mapTo(Boolean.class).findOne()
          .orElse(null);
      PurposeSetting stored = h.createQuery("""
              insert into purpose_settings (tenant_id, purpose, essential) values (:t, :p, :e)
              on conflict (tenant_id, purpose) do update set essential = excluded.essential,
                updated_at = case when purpose_settings.essential = excluded.essential
                                  then purpose_settings.updated_at else now() end
              returning purpose, essential, updated_at
              """)
          .bind("t", tenantId).bind("p", purpose).bind("e", essential)
          .map((rs, ctx) -> new PurposeSetting(rs.getString("purpose"),
              rs.getBoolean("essential"), rs.getTimestamp("updated_at").toInstant()))
          .one();
      boolean wasEssential = before == null || before;
      if (wasEssential != essential) {
        AuditRepository.appendAll(h, List.of(new NewAuditEvent(tenantId, null, null,
            Instant.now(), actor, "purpose", essential ? "essential" : "non-essential",
            "purpose " + purpose + (essential ? " is essential: no unsubscribe link"
                : " is non-essential: its emails offer one-click unsubscribe"),
            null, null, null, null, null, null)));
      }
      return stored;
    });
  }

  public List<PurposeSetting> list(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("""
            select purpose, essential, updated_at from purpose_settings where tenant_id = :t
            order by purpose
            """).bind("t", tenantId)
        .map((rs, ctx) -> new PurposeSetting(rs.getString("purpose"), rs.getBoolean("essential"),
            rs.getTimestamp("updated_at").toInstant()))
        .list());
  }

  /** Whether the tenant's purpose is essential (a purpose nobody marked is). */
  public boolean essential(String tenantId, String purpose) {
    return jdbi.withHandle(h -> h.createQuery("""
            select essential from purpose_settings where tenant_id = :t and purpose = :p
            """).bind("t", tenantId).bind("p", purpose).mapTo(Boolean.class).findOne()
        .orElse(true));
  }

  /**
   * The recipient and purpose of a delivery whose purpose is non-essential; empty for an
   * essential one (or an unknown delivery).
   */
  public Optional<UnsubscribeTarget> unsubscribeTarget(String tenantId, String deliveryId) {
    return jdbi.withHandle(h -> h.createQuery("""
            select d.recipient_id, d.purpose from deliveries d
            join purpose_settings p on p.tenant_id = d.tenant_id and p.purpose = d.purpose
            where d.tenant_id = :t and d.id = :id and not p.essential
            """)
        .bind("t", tenantId).bind("id", deliveryId)
        .map((rs, ctx) -> new UnsubscribeTarget(tenantId, rs.getString("recipient_id"),
            rs.getString("purpose")))
        .findOne());
  }
}
