package dev.relay.store.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relay.store.RelayDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A real PostgreSQL for tests: one embedded server per JVM (started on a free port, stopped at
 * exit), and a fresh, migrated database per {@link #fresh()} call so tests never share rows.
 * The superuser {@code postgres} owns the schema; {@link #RUNTIME_ROLE} has the runtime role's
 * privileges ({@link RelayDatabase#grantRuntime}).
 */
public final class TestDatabase {
  /** The role with the apps' runtime privileges, password = name. */
  public static final String RUNTIME_ROLE = "relay_runtime";

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres server;

  private TestDatabase() {}

  /** A new empty database with Relay's schema. */
  public static HikariDataSource fresh() {
    String name = "relay_test_" + COUNTER.incrementAndGet();
    try (Connection c = server().getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    HikariDataSource ds = dataSource(name, "postgres", "postgres");
    RelayDatabase.migrate(ds, RUNTIME_ROLE);
    return ds;
  }

  /** A new database migrated only up to {@code version} (for upgrade tests); owner pool. */
  public static HikariDataSource migratedTo(String version) {
    String name = "relay_test_" + COUNTER.incrementAndGet();
    try (Connection c = server().getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    HikariDataSource ds = dataSource(name, "postgres", "postgres");
    org.flywaydb.core.Flyway.configure().dataSource(ds).locations("classpath:db/migration")
        .target(version).load().migrate();
    return ds;
  }

  /** A connection pool to {@code owner}'s database as {@link #RUNTIME_ROLE}. */
  public static HikariDataSource runtime(HikariDataSource owner) {
    String url = owner.getJdbcUrl();
    String database = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
    return dataSource(database, RUNTIME_ROLE, RUNTIME_ROLE);
  }

  /** Drops {@code owner}'s database (the pool is closed first). */
  public static void drop(HikariDataSource owner) {
    String url = owner.getJdbcUrl();
    String database = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
    owner.close();
    try (Connection c = server().getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("drop database " + database + " with (force)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop test database " + database, e);
    }
  }

  /** The JDBC URL of a database on the embedded server. */
  public static String jdbcUrl(String database) {
    return server().getJdbcUrl("postgres", database);
  }

  private static HikariDataSource dataSource(String database, String user, String password) {
    HikariConfig config = new HikariConfig();
    // Without the ?user= of jdbcUrl(): pgjdbc lets the URL's user win over the pool's.
    config.setJdbcUrl("jdbc:postgresql://localhost:" + server().getPort() + "/" + database);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(8);
    return new HikariDataSource(config);
  }

  private static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
      }
      try (Connection c = server.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("create role " + RUNTIME_ROLE + " login password '" + RUNTIME_ROLE + "'");
      } catch (SQLException e) {
        throw new IllegalStateException("cannot create the runtime role", e);
      }
      EmbeddedPostgres started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (IOException ignored) {
          // the JVM is going away; the server's folder is temporary
        }
      }));
    }
    return server;
  }
}
