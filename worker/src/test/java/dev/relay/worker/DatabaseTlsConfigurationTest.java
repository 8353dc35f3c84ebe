package dev.relay.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.store.RelayDatabase;
import dev.relay.store.testing.TlsPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The worker reaches PostgreSQL over verified TLS by configuration alone: Spring Boot's pool
 * with {@code relay.database.ssl.*}, and the owner that migrates with the same settings.
 */
class DatabaseTlsConfigurationTest {
  @TempDir static Path dir;
  static TlsPostgres postgres;

  @BeforeAll
  static void start() {
    postgres = TlsPostgres.start(dir);
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(DatabaseProperties.class)
  static class Wiring {
    @Bean
    static DatabaseTlsPostProcessor databaseTlsPostProcessor(
        ObjectProvider<DatabaseProperties> database) {
      return new DatabaseTlsPostProcessor(database);
    }
  }

  private ApplicationContextRunner app() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
        .withUserConfiguration(Wiring.class)
        .withPropertyValues(
            "spring.datasource.url=" + postgres.url("relay_tls"),
            "spring.datasource.username=relay_tls_runtime",
            "spring.datasource.password=relay_tls_runtime",
            "relay.database.owner.username=postgres",
            "relay.database.owner.password=postgres");
  }

  @Test
  void typedSettingsGiveBothRolesAVerifiedTlsConnection() {
    app().withPropertyValues("relay.database.ssl.mode=verify-full",
            "relay.database.ssl.root-cert=" + postgres.rootCert())
        .run(context -> {
          assertThat(context).hasNotFailed();
          DataSource runtime = context.getBean(DataSource.class);
          assertThat(ssl(runtime)).isTrue();
          DatabaseProperties database = context.getBean(DatabaseProperties.class);
          RelayDatabase.migrate(runtime, postgres.url("relay_tls"),
              database.owner().username(), database.owner().password(), database.tls());
        });
  }

  @Test
  void aRootCertificateThatDidNotSignTheServerStopsTheFirstConnection() {
    app().withPropertyValues("relay.database.ssl.mode=verify-full",
            "relay.database.ssl.root-cert=" + postgres.otherCert())
        .run(context -> {
          DataSource runtime = context.getBean(DataSource.class);
          org.assertj.core.api.Assertions.assertThatThrownBy(() -> ssl(runtime))
              .hasMessageContaining("SSL error")
              .hasMessageContaining("PKIX path");
        });
  }

  @Test
  void anUnreadableRootCertificateFailsTheStart() {
    app().withPropertyValues("relay.database.ssl.mode=verify-full",
            "relay.database.ssl.root-cert=" + dir.resolve("absent.crt"))
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure())
              .hasStackTraceContaining("relay.database.ssl.root-cert")
              .hasStackTraceContaining("cannot be read");
        });
  }

  private static boolean ssl(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "select ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}
