package dev.relay.api.config;

import dev.relay.store.tenant.ApiKeyRepository;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Upserts the tenants listed under {@code relay.bootstrap} at startup and adds their API keys
 * that are not known yet, for local demos. A known key is left as it is: one revoked through the
 * admin API stays revoked although it is still listed here. Production keys are made through
 * {@code POST /v1/api-keys}; the list is empty by default.
 */
@Component
public class BootstrapTenants implements ApplicationRunner {
  private static final Logger log = LoggerFactory.getLogger(BootstrapTenants.class);

  private final RelayProperties properties;
  private final TenantRepository tenants;
  private final ApiKeyRepository keys;

  public BootstrapTenants(RelayProperties properties, TenantRepository tenants,
      ApiKeyRepository keys) {
    this.properties = properties;
    this.tenants = tenants;
    this.keys = keys;
  }

  @Override
  public void run(ApplicationArguments args) {
    for (RelayProperties.BootstrapTenant t : properties.bootstrap()) {
      if (t.id() == null || t.id().isBlank()) {
        throw new IllegalStateException("relay.bootstrap: every tenant needs an id");
      }
      // Keep a status webhook the tenant set through the API: a restart must not remove it.
      String webhookUrl = tenants.findTenant(t.id()).map(Tenant::statusWebhookUrl).orElse(null);
      tenants.upsertTenant(new Tenant(t.id(), t.name() == null ? t.id() : t.name(), webhookUrl));
      int added = 0;
      for (RelayProperties.BootstrapKey k : t.keys()) {
        if (k.key() == null || k.key().length() < 16 || k.role() == null) {
          throw new IllegalStateException(
              "relay.bootstrap: tenant " + t.id() + " has a key without a role or shorter than 16 characters");
        }
        if (keys.ensureConfigured(k.key(), t.id(), k.role(),
            k.name() == null ? k.role().dbValue() : k.name())) {
          added++;
        }
      }
      log.info("bootstrap: tenant {} with {} configured API key(s), {} new", t.id(),
          t.keys().size(), added);
    }
  }
}
