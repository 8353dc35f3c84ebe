package dev.relay.store.webhook;

import dev.relay.store.sealed.AtRest;
import dev.relay.store.sealed.DataErasedException;
import dev.relay.store.sealed.SealedField;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Each tenant's status webhook: where status events go and the secret they are signed with. The
 * secret is sealed with the tenant's data key ({@link SealedField#WEBHOOK_SECRET}); a secret
 * stored before encryption at rest is still read from the plaintext column until the backfill
 * seals it.
 */
public class StatusWebhookRepository {
  private final Jdbi jdbi;

  public StatusWebhookRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Sets (or replaces) the tenant's webhook; false when the tenant does not exist. */
  public boolean configure(String tenantId, String url, String secret) {
    return jdbi.withHandle(h -> h.createUpdate("""
            update tenants set status_webhook_url = :url, status_webhook_secret = null,
              status_webhook_secret_sealed = :sealed, status_webhook_updated_at = now()
            where id = :t
            """)
        .bind("t", tenantId).bind("url", url)
        .bind("sealed", AtRest.session(h).sealText(SealedField.WEBHOOK_SECRET, tenantId, null,
            tenantId, secret))
        .execute()) == 1;
  }

  /** The tenant's webhook, if it has one. */
  public Optional<StatusWebhook> find(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("""
            select id, status_webhook_url, status_webhook_secret, status_webhook_secret_sealed,
              status_webhook_updated_at
            from tenants where id = :t and status_webhook_url is not null
            """)
        .bind("t", tenantId)
        .map((rs, ctx) -> new StatusWebhook(rs.getString("id"), rs.getString("status_webhook_url"),
            secret(AtRest.session(h), rs, "id"),
            rs.getTimestamp("status_webhook_updated_at") == null ? null
                : rs.getTimestamp("status_webhook_updated_at").toInstant()))
        .findOne());
  }

  /**
   * The row's signing secret: sealed, or legacy plaintext; null when there is none or the
   * tenant's data keys were destroyed (nothing can be signed any more).
   */
  static String secret(AtRest.Session session, ResultSet rs, String tenantColumn)
      throws SQLException {
    byte[] sealed = rs.getBytes("status_webhook_secret_sealed");
    if (sealed == null) {
      return rs.getString("status_webhook_secret");
    }
    String tenant = rs.getString(tenantColumn);
    try {
      return session.openText(SealedField.WEBHOOK_SECRET, tenant, tenant, sealed);
    } catch (DataErasedException e) {
      return null;
    }
  }

  /**
   * Removes the tenant's webhook; true when it had one. Events not sent yet are not sent any more
   * (the dispatcher finds no URL and marks them FAILED).
   */
  public boolean remove(String tenantId) {
    return jdbi.withHandle(h -> h.createUpdate("""
            update tenants set status_webhook_url = null, status_webhook_secret = null,
              status_webhook_secret_sealed = null, status_webhook_updated_at = now()
            where id = :t and status_webhook_url is not null
            """)
        .bind("t", tenantId)
        .execute()) == 1;
  }
}
