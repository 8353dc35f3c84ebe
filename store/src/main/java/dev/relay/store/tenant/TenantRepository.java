package dev.relay.store.tenant;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Tenants (their API keys: {@link ApiKeyRepository}). */
public class TenantRepository {
  private final Jdbi jdbi;

  public TenantRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Creates or renames a tenant (idempotent). */
  public void upsertTenant(Tenant tenant) {
    jdbi.useHandle(h -> h.createUpdate("""
            insert into tenants (id, name, status_webhook_url) values (:id, :name, :url)
            on conflict (id) do update set name = excluded.name,
              status_webhook_url = excluded.status_webhook_url
            """)
        .bind("id", tenant.id())
        .bind("name", tenant.name())
        .bind("url", tenant.statusWebhookUrl())
        .execute());
  }

  public Optional<Tenant> findTenant(String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "select id, name, status_webhook_url from tenants where id = :id")
        .bind("id", id)
        .map((rs, ctx) -> new Tenant(rs.getString("id"), rs.getString("name"),
            rs.getString("status_webhook_url")))
        .findOne());
  }
}
