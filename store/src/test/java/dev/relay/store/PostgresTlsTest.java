package dev.relay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;
import dev.relay.store.testing.TlsPostgres;

/**
 * PostgreSQL over TLS by configuration alone: a real server with {@code ssl=on} and a
 * self-signed certificate made for this test (openssl), reached with {@code sslmode=verify-full}
 * through the JDBC URL or through {@link DatabaseTls}, for the runtime pool and the owner that
 * migrates; a root certificate that did not sign the server's is refused.
 */
class PostgresTlsTest {
  @TempDir static Path dir;
  static TlsPostgres tlsServer;
  static EmbeddedPostgres server;
  static Path serverCert;
  static Path otherCert;

  @BeforeAll
  static void startServerWithTls() {
    tlsServer = TlsPostgres.start(dir);
    server = tlsServer.server();
    serverCert = tlsServer.rootCert();
    otherCert = tlsServer.otherCert();
  }

  @AfterAll
  static void stop() throws IOException {
    if (tlsServer != null) {
      tlsServer.close();
    }
  }

  @Test
  void theJdbcUrlAloneGivesAVerifiedTlsConnection() throws Exception {
    String url = url("relay_tls") + "?sslmode=verify-full&sslrootcert=" + serverCert;

    try (HikariDataSource pool = pool(url, "postgres", DatabaseTls.FROM_URL)) {
      assertThat(ssl(pool)).isTrue();
    }
  }

  @Test
  void typedSettingsReachTheRuntimePoolAndTheOwnerThatMigrates() throws Exception {
    DatabaseTls tls = new DatabaseTls("verify-full", serverCert.toString(), null, null);

    try (HikariDataSource runtime = pool(url("relay_tls"), "relay_tls_runtime", tls)) {
      assertThat(ssl(runtime)).isTrue();
      RelayDatabase.migrate(runtime, url("relay_tls"), "postgres", "postgres", tls);
      // The owner migrated (over verified TLS) and granted the runtime role its tables.
      try (Connection c = runtime.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select count(*) from deliveries")) {
        assertThat(rs.next()).isTrue();
      }

      // The owner's connection checks the server against the typed root certificate too.
      DatabaseTls wrong = new DatabaseTls("verify-full", otherCert.toString(), null, null);
      assertThatThrownBy(() -> RelayDatabase.migrate(runtime, url("relay_tls"), "postgres",
          "postgres", wrong))
          .hasStackTraceContaining("PKIX path");
    }
  }

  @Test
  void aRootCertificateThatDidNotSignTheServerIsRefusedClearly() {
    String url = url("relay_tls") + "?sslmode=verify-full&sslrootcert=" + otherCert;
    Properties login = new Properties();
    login.setProperty("user", "postgres");
    login.setProperty("password", "postgres");

    assertThatThrownBy(() -> DriverManager.getConnection(url, login).close())
        .isInstanceOf(PSQLException.class)
        .hasMessageContaining("SSL error")
        .hasMessageContaining("PKIX path");
  }

  @Test
  void verifyFullAlsoChecksTheNameVerifyCaOnlyTheChain() throws Exception {
    // The certificate names localhost only; 127.0.0.1 is the same server under another name.
    String byAddress = "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/relay_tls";
    Properties login = new Properties();
    login.setProperty("user", "postgres");
    login.setProperty("password", "postgres");

    assertThatThrownBy(() -> DriverManager.getConnection(byAddress
        + "?sslmode=verify-full&sslrootcert=" + serverCert, login).close())
        .isInstanceOf(PSQLException.class)
        .hasMessageContaining("hostname 127.0.0.1 could not be verified");
    try (HikariDataSource pool = pool(byAddress, "postgres",
        new DatabaseTls("verify-ca", serverCert.toString(), null, null))) {
      assertThat(ssl(pool)).isTrue();
    }
  }

  @Test
  void settingsAreCheckedBeforeAnyConnection() {
    assertThatThrownBy(() -> new DatabaseTls("verify_full", null, null, null))
        .hasMessageContaining("relay.database.ssl.mode 'verify_full' is not one of")
        .hasMessageContaining("verify-full");
    assertThatThrownBy(() -> new DatabaseTls("verify-full", dir.resolve("absent.crt").toString(),
        null, null))
        .hasMessageContaining("relay.database.ssl.root-cert")
        .hasMessageContaining("cannot be read");

    HikariConfig conflicting = new HikariConfig();
    conflicting.setJdbcUrl(url("relay_tls") + "?sslmode=disable");
    assertThatThrownBy(() -> new DatabaseTls("verify-full", serverCert.toString(), null, null)
        .applyTo(conflicting))
        .hasMessageContaining("the JDBC URL sets sslmode=disable")
        .hasMessageContaining("relay.database.ssl sets it to verify-full");
  }

  private static String url(String database) {
    return "jdbc:postgresql://localhost:" + server.getPort() + "/" + database;
  }

  private static HikariDataSource pool(String url, String user, DatabaseTls tls) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(user);
    config.setMaximumPoolSize(2);
    tls.applyTo(config);
    return new HikariDataSource(config);
  }

  private static boolean ssl(javax.sql.DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "select ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
      assertThat(rs.next()).isTrue();
      return rs.getBoolean(1);
    }
  }
}
