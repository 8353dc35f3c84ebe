package dev.relay.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** Entry point of the store: schema migration and the configured {@link Jdbi}. */
public final class RelayDatabase {

  private RelayDatabase() {}

  /** Brings the schema up to date. Safe to call from several processes: Flyway takes a lock. */
  public static void migrate(DataSource dataSource) {
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  public static Jdbi jdbi(DataSource dataSource) {
    return Jdbi.create(dataSource)
        .installPlugin(new PostgresPlugin())
        .installPlugin(new SqlObjectPlugin());
  }
}
