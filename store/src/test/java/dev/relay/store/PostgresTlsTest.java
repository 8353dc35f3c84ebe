package dev.relay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * PostgreSQL over TLS by configuration alone: a real server with {@code ssl=on} and a
 * self-signed certificate made for this test (openssl), reached with {@code sslmode=verify-full}
 * through the JDBC URL or through {@link DatabaseTls}, for the runtime pool and the owner that
 * migrates; a root certificate that did not sign the server's is refused.
 */
class PostgresTlsTest {
  @TempDir static Path dir;
  static EmbeddedPostgres server;
  static Path serverCert;
  static Path otherCert;

  @BeforeAll
  static void startServerWithTls() throws Exception {
    serverCert = selfSigned("server");
    otherCert = selfSigned("other");
    Path key = dir.resolve("server.key");
    // PostgreSQL refuses a key others can read.
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    server = EmbeddedPostgres.builder()
        .setServerConfig("ssl", "on")
        .setServerConfig("ssl_cert_file", serverCert.toString())
        .setServerConfig("ssl_key_file", key.toString())
        .start();
    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("create role relay_tls_runtime login password 'relay_tls_runtime'");
      s.execute("create database relay_tls owner postgres");
    }
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
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

  /** {@code name}.crt and {@code name}.key: a self-signed certificate for localhost. */
  private static Path selfSigned(String name) throws IOException, InterruptedException {
    Path cert = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    Process p = new ProcessBuilder(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048",
        "-nodes", "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost",
        "-keyout", key.toString(), "-out", cert.toString()))
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("openssl failed: " + output);
    }
    return cert;
  }
}
