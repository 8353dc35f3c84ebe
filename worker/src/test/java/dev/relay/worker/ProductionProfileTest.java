package dev.relay.worker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.guard.prod.ProductionReadiness;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The worker with the {@code prod} profile and application.yaml's local defaults: no start. */
class ProductionProfileTest {

  @Test
  void theProdProfileRefusesToStartWithTheLocalDefaults() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(RelayWorkerApplication.class)
        .profiles("prod")
        .run("--server.port=0", "--relay.database.owner.username=relay"))
        .isInstanceOf(ProductionReadiness.ProductionMisconfiguredException.class)
        .hasMessageStartingWith("Relay relay-worker refuses to start with the 'prod' profile")
        .hasMessageContaining("spring.datasource.password (database user 'relay_app')")
        .hasMessageContaining("relay.database.owner.password (database user 'relay')")
        .hasMessageContaining("built-in audit key 'local-dev-1'")
        .hasMessageContaining("no payload keyring");
  }
}
