package dev.relay.store.webhook;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Each tenant's status webhook: where status events go and the secret they are signed with. */
public class StatusWebhookRepository {
  private final Jdbi jdbi;

  public StatusWebhookRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Sets (or replaces) the tenant's webhook; false when the tenant does not exist. */
  public boolean configure(String tenantId, String url, String secret) {
    return jdbi.withHandle(h -> h.createUpdate("""
            update tenants set status_webhook_url = :url, status_webhook_secret = :secret,
              status_webhook_updated_at = now()
            where id = :t
            """)
        .bind("t", tenantId).bind("url", url).bind("secret", secret)
        .execute()) == 1;
  }

  /** The tenant's webhook, if it has one. */
  public Optional<StatusWebhook> find(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("""
            select id, status_webhook_url, status_webhook_secret, status_webhook_updated_at
            from tenants where id = :t and status_webhook_url is not null
            """)
        .bind("t", tenantId)
        .map((rs, ctx) -> new StatusWebhook(rs.getString("id"), rs.getString("status_webhook_url"),
            rs.getString("status_webhook_secret"),
            rs.getTimestamp("status_webhook_updated_at") == null ? null
                : rs.getTimestamp("status_webhook_updated_at").toInstant()))
        .findOne());
  }

  /**
   * Removes the tenant's webhook; true when it had one. Events not sent yet are not sent any more
   * (the dispatcher finds no URL and marks them FAILED).
   */
  public boolean remove(String tenantId) {
    return jdbi.withHandle(h -> h.createUpdate("""
            update tenants set status_webhook_url = null, status_webhook_secret = null,
              status_webhook_updated_at = now()
            where id = :t and status_webhook_url is not null
            """)
        .bind("t", tenantId)
        .execute()) == 1;
  }
}
