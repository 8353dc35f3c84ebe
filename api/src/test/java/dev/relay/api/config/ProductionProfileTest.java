package dev.relay.api.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.api.RelayApiApplication;
import dev.relay.guard.prod.ProductionReadiness;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The API started with the {@code prod} profile and the local defaults of application.yaml plus
 * the demo keys of {@code ./relay up}: the start fails before anything is connected, naming every
 * default to change.
 */
class ProductionProfileTest {

  @Test
  void theProdProfileRefusesToStartWithTheLocalDefaults() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(RelayApiApplication.class)
        .profiles("prod")
        // As ./relay up passes them (command line and environment outrank application.yaml).
        .run("--server.port=0", "--management.server.port=0",
            "--relay.database.owner.username=relay", // blank in the tests' config
            "--relay.bootstrap[0].id=demo", "--relay.bootstrap[0].name=Demo",
            "--relay.bootstrap[0].keys[0].key=relay-demo-admin-key",
            "--relay.bootstrap[0].keys[0].role=ADMIN",
            "--relay.bootstrap[0].keys[0].name=demo-admin"))
        .isInstanceOf(ProductionReadiness.ProductionMisconfiguredException.class)
        .hasMessageStartingWith("Relay relay-api refuses to start with the 'prod' profile")
        .hasMessageContaining("demo API key 'relay-demo-admin-key'")
        .hasMessageContaining("spring.datasource.password (database user 'relay_app') is the "
            + "local default 'relay_app'")
        .hasMessageContaining("relay.database.owner.password (database user 'relay') is the "
            + "local default 'relay'")
        .hasMessageContaining("built-in audit key 'local-dev-1'")
        .hasMessageContaining("no payload keyring");
  }

  @Test
  void theLocalDevelopmentWebhookSettingIsRefusedToo() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(RelayApiApplication.class)
        .profiles("prod")
        .run("--server.port=0", "--management.server.port=0",
            "--spring.datasource.password=Zq8-runtime", "--relay.database.owner.password=Zq8-owner",
            "--relay.audit.current-key-id=k1",
            "--relay.audit.keys.k1=c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAwMDA=",
            "--relay.codec.keys=p1:AAAA", "--relay.webhooks.allow-insecure-local=true"))
        .isInstanceOf(ProductionReadiness.ProductionMisconfiguredException.class)
        .hasMessageContaining("relay.webhooks.allow-insecure-local is true")
        .hasMessageNotContaining("database")
        .hasMessageNotContaining("audit key")
        .hasMessageNotContaining("payload keyring");
  }
}
