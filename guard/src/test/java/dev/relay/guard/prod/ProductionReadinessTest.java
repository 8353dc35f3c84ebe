package dev.relay.guard.prod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProductionReadinessTest {

  @Test
  void everyLocalDefaultIsNamedWithWhatToChange() {
    ProductionReadiness readiness = new ProductionReadiness("api")
        .apiKeys("relay.bootstrap[0].keys", List.of("relay-demo-admin-key", "k-7f3a9c"))
        .databasePassword("spring.datasource.password", "relay_app", "relay_app")
        .databasePassword("relay.database.owner.password", "relay", "relay")
        .auditKeys("local-dev-1", false)
        .payloadKeyring(false)
        .insecureLocalWebhooks(true);

    assertThat(readiness.problems()).hasSize(6);
    assertThatThrownBy(readiness::enforce)
        .isInstanceOf(ProductionReadiness.ProductionMisconfiguredException.class)
        .hasMessageContaining("refuses to start with the 'prod' profile")
        .hasMessageContaining("demo API key 'relay-demo-admin-key'")
        .hasMessageContaining("spring.datasource.password (database user 'relay_app') is the local default")
        .hasMessageContaining("relay.database.owner.password (database user 'relay')")
        .hasMessageContaining("built-in audit key 'local-dev-1'")
        .hasMessageContaining("relay.audit.key-file")
        .hasMessageContaining("no payload keyring")
        .hasMessageContaining("relay.webhooks.allow-insecure-local");
  }

  @Test
  void aProperConfigurationPasses() {
    new ProductionReadiness("worker")
        .databasePassword("spring.datasource.password", "relay_app", "x9!long-and-random")
        .auditKeys("2026-01", false)
        .payloadKeyring(true)
        .insecureLocalWebhooks(false)
        .enforce();
  }
}
