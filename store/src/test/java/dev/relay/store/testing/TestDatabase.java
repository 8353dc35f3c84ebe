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
 */
public final class TestDatabase {
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
    HikariDataSource ds = dataSource(name);
    RelayDatabase.migrate(ds);
    return ds;
  }

  /** The JDBC URL of a database on the embedded server. */
  public static String jdbcUrl(String database) {
    return server().getJdbcUrl("postgres", database);
  }

  private static HikariDataSource dataSource(String database) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl(database));
    config.setUsername("postgres");
    config.setPassword("postgres");
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
