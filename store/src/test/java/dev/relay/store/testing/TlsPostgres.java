package dev.relay.store.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * An embedded PostgreSQL with {@code ssl=on} and a self-signed certificate for {@code localhost}
 * made by openssl for one test class, with a database {@code relay_tls} and a login role
 * {@code relay_tls_runtime} (password = name). {@code otherCert} signed nothing the server has.
 */
public record TlsPostgres(EmbeddedPostgres server, Path rootCert, Path otherCert)
    implements AutoCloseable {

  public static TlsPostgres start(Path dir) {
    Path serverCert = selfSigned(dir, "server");
    Path otherCert = selfSigned(dir, "other");
    Path key = dir.resolve("server.key");
    try {
      // PostgreSQL refuses a key others can read.
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          .setServerConfig("ssl", "on")
          .setServerConfig("ssl_cert_file", serverCert.toString())
          .setServerConfig("ssl_key_file", key.toString())
          .start();
      try (Connection c = server.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("create role relay_tls_runtime login password 'relay_tls_runtime'");
        s.execute("create database relay_tls owner postgres");
      }
      return new TlsPostgres(server, serverCert, otherCert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The plain JDBC URL of {@code database} (no TLS parameters). */
  public String url(String database) {
    return "jdbc:postgresql://localhost:" + server.getPort() + "/" + database;
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** {@code name}.crt and {@code name}.key: a self-signed certificate for localhost. */
  private static Path selfSigned(Path dir, String name) {
    Path cert = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    try {
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
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
