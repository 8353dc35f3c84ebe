package dev.relay.api.config;

import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Upserts the tenants and API keys listed under {@code relay.bootstrap} at startup, for local
 * demos. Production keys are made by an operator; the list is empty by default.
 */
@Component
public class BootstrapTenants implements ApplicationRunner {
  private static final Logger log = LoggerFactory.getLogger(BootstrapTenants.class);

  private final RelayProperties properties;
  private final TenantRepository tenants;

  public BootstrapTenants(RelayProperties properties, TenantRepository tenants) {
    this.properties = properties;
    this.tenants = tenants;
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
      for (RelayProperties.BootstrapKey k : t.keys()) {
        if (k.key() == null || k.key().length() < 16 || k.role() == null) {
          throw new IllegalStateException(
              "relay.bootstrap: tenant " + t.id() + " has a key without a role or shorter than 16 characters");
        }
        tenants.upsertApiKey(k.key(), t.id(), k.role(), k.name() == null ? k.role().dbValue() : k.name());
      }
      log.info("bootstrap: tenant {} with {} API key(s)", t.id(), t.keys().size());
    }
  }
}
