package dev.relay.store.tenant;

import dev.relay.store.Hashing;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Tenants and their API keys. Keys are stored as SHA-256 hashes only. */
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

  /** Registers a plaintext key (idempotent: the same key maps to the same row). */
  public void upsertApiKey(String plaintextKey, String tenantId, Role role, String name) {
    jdbi.useHandle(h -> h.createUpdate("""
            insert into api_keys (key_hash, tenant_id, role, name) values (:hash, :tenant, :role, :name)
            on conflict (key_hash) do update set tenant_id = excluded.tenant_id,
              role = excluded.role, name = excluded.name, revoked_at = null
            """)
        .bind("hash", Hashing.sha256Hex(plaintextKey))
        .bind("tenant", tenantId)
        .bind("role", role.dbValue())
        .bind("name", name)
        .execute());
  }

  /** The principal of a presented key, unless it is unknown or revoked. */
  public Optional<ApiKeyPrincipal> authenticate(String plaintextKey) {
    return jdbi.withHandle(h -> h.createQuery("""
            select tenant_id, role, name from api_keys
            where key_hash = :hash and revoked_at is null
            """)
        .bind("hash", Hashing.sha256Hex(plaintextKey))
        .map((rs, ctx) -> new ApiKeyPrincipal(rs.getString("tenant_id"),
            Role.fromDb(rs.getString("role")), rs.getString("name")))
        .findOne());
  }
}
