package dev.relay.guard.prod;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Profiles;

/**
 * With the Spring profile {@code prod} active, refuses to start an app (API or worker) that is
 * configured with Relay's public local-development defaults: see {@link ProductionReadiness}.
 * Runs once the configuration is read and before any bean exists (so before the database, Temporal
 * or a port is touched). Registered in {@code META-INF/spring.factories}; does nothing without the
 * profile.
 */
public class ProductionProfileCheck implements EnvironmentPostProcessor {
  /** The audit key that ships in application.yaml (store's {@code AuditKeys.LOCAL_DEV_SECRET}). */
  static final String LOCAL_AUDIT_SECRET = "cmVsYXktbG9jYWwtZGV2LWF1ZGl0LWtleS0wMDAwMDA=";

  /** What binds {@code relay.bootstrap[*]}: only the keys matter here. */
  public record BootstrapTenant(String id, List<BootstrapKey> keys) {}

  public record BootstrapKey(String key) {}

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
    if (env.acceptsProfiles(Profiles.of(ProductionReadiness.PROFILE))) {
      check(env).enforce();
    }
  }

  /** What this environment would be refused for (used by {@link #postProcessEnvironment}). */
  public static ProductionReadiness check(ConfigurableEnvironment env) {
    Binder binder = Binder.get(env);
    String app = env.getProperty("spring.application.name", "app");
    ProductionReadiness readiness = new ProductionReadiness(app);

    List<BootstrapTenant> tenants = binder.bind("relay.bootstrap",
        Bindable.listOf(BootstrapTenant.class)).orElse(List.of());
    for (int i = 0; i < tenants.size(); i++) {
      List<BootstrapKey> keys = tenants.get(i).keys() == null ? List.of() : tenants.get(i).keys();
      readiness.apiKeys("relay.bootstrap[" + i + "].keys",
          keys.stream().map(BootstrapKey::key).toList());
    }

    readiness.databasePassword("spring.datasource.password",
        env.getProperty("spring.datasource.username", ""),
        env.getProperty("spring.datasource.password", ""));
    String owner = env.getProperty("relay.database.owner.username", "");
    if (!owner.isBlank()) {
      readiness.databasePassword("relay.database.owner.password", owner,
          env.getProperty("relay.database.owner.password", ""));
    }

    String currentAuditKey;
    String currentAuditSecret;
    String keyFile = env.getProperty("relay.audit.key-file", "");
    if (!keyFile.isBlank()) {
      Properties file = new Properties();
      try (Reader in = Files.newBufferedReader(Path.of(keyFile), StandardCharsets.UTF_8)) {
        file.load(in);
      } catch (IOException e) {
        throw new ProductionReadiness.ProductionMisconfiguredException(
            "relay.audit.key-file " + keyFile + " cannot be read: " + e.getMessage());
      }
      currentAuditKey = file.getProperty("current", "").trim();
      currentAuditSecret = file.getProperty("key." + currentAuditKey, "").trim();
    } else {
      Map<String, String> keys = binder.bind("relay.audit.keys",
          Bindable.mapOf(String.class, String.class)).orElse(Map.of());
      currentAuditKey = env.getProperty("relay.audit.current-key-id",
          ProductionReadiness.LOCAL_AUDIT_KEY_ID);
      currentAuditSecret = keys.getOrDefault(currentAuditKey, "").trim();
    }
    readiness.auditKeys(currentAuditKey, LOCAL_AUDIT_SECRET.equals(currentAuditSecret));

    readiness.payloadKeyring(!env.getProperty("relay.codec.key-file", "").isBlank()
        || !env.getProperty("relay.codec.keys", "").isBlank());
    readiness.insecureLocalWebhooks(
        env.getProperty("relay.webhooks.allow-insecure-local", Boolean.class, false));
    return readiness;
  }
}
