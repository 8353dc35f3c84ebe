package dev.relay.guard.prod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

class ProductionProfileCheckTest {

  /** What application.yaml holds, plus the demo bootstrap of ./relay up. */
  private static MockEnvironment localDefaults() {
    return new MockEnvironment()
        .withProperty("spring.application.name", "relay-api")
        .withProperty("spring.datasource.username", "relay_app")
        .withProperty("spring.datasource.password", "relay_app")
        .withProperty("relay.database.owner.username", "relay")
        .withProperty("relay.database.owner.password", "relay")
        .withProperty("relay.audit.current-key-id", "local-dev-1")
        .withProperty("relay.audit.keys.local-dev-1", ProductionProfileCheck.LOCAL_AUDIT_SECRET)
        .withProperty("relay.codec.key-file", "")
        .withProperty("relay.bootstrap[0].id", "demo")
        .withProperty("relay.bootstrap[0].keys[0].key", "relay-demo-admin-key")
        .withProperty("relay.bootstrap[0].keys[0].role", "ADMIN");
  }

  @Test
  void withoutTheProfileNothingIsChecked() {
    new ProductionProfileCheck().postProcessEnvironment(localDefaults(), null);
  }

  @Test
  void theProdProfileRefusesTheLocalDefaults() {
    MockEnvironment env = localDefaults();
    env.setActiveProfiles("prod");
    assertThatThrownBy(() -> new ProductionProfileCheck().postProcessEnvironment(env, null))
        .isInstanceOf(ProductionReadiness.ProductionMisconfiguredException.class)
        .hasMessageStartingWith("Relay relay-api refuses to start with the 'prod' profile")
        .hasMessageContaining("relay.bootstrap[0].keys holds the demo API key 'relay-demo-admin-key'")
        .hasMessageContaining("spring.datasource.password (database user 'relay_app')")
        .hasMessageContaining("relay.database.owner.password (database user 'relay')")
        .hasMessageContaining("built-in audit key 'local-dev-1'")
        .hasMessageContaining("no payload keyring");
  }

  @Test
  void aProperProductionConfigurationPasses(@TempDir Path dir) throws Exception {
    Path auditKeys = Files.writeString(dir.resolve("audit.properties"),
        "current=2026-01\nkey.2026-01=c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAwMDA=\n"
            + "key.local-dev-1=" + ProductionProfileCheck.LOCAL_AUDIT_SECRET + "\n");
    MockEnvironment env = localDefaults()
        .withProperty("spring.datasource.password", "Zq8-runtime-from-vault")
        .withProperty("relay.database.owner.password", "Zq8-owner-from-vault")
        .withProperty("relay.audit.key-file", auditKeys.toString())
        .withProperty("relay.codec.keys", "prod-1:AAAA")
        .withProperty("relay.bootstrap[0].keys[0].key", "acme-7b1d0e9f3a");
    env.setActiveProfiles("prod");

    assertThat(ProductionProfileCheck.check(env).problems()).isEmpty();
    // A signing key with the public secret under another name is the same public key.
    Files.writeString(auditKeys, "current=mine\nkey.mine=" + ProductionProfileCheck.LOCAL_AUDIT_SECRET);
    assertThat(ProductionProfileCheck.check(env).problems()).singleElement().asString()
        .contains("built-in audit key");
  }
}
