package dev.relay.store;

import dev.relay.store.audit.AuditKeys;
import dev.relay.store.audit.AuditKeysConfig;
import dev.relay.store.sealed.AtRest;
import dev.relay.store.sealed.AtRestConfig;
import dev.relay.store.sealed.KekRing;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the store: schema migration, the runtime role's privileges and the configured
 * {@link Jdbi}.
 *
 * <p>Two roles: the <em>owner</em> runs the migrations and owns every table (only an owner can
 * ALTER a table or drop its triggers); the <em>runtime</em> role the apps connect as gets what
 * they need and, on the audit tables, INSERT and SELECT only ({@link #grantRuntime}).
 */
public final class RelayDatabase {
  private static final Logger log = LoggerFactory.getLogger(RelayDatabase.class);

  /** Tables the runtime role may only read and append to. */
  private static final List<String> APPEND_ONLY =
      List.of("audit_events", "audit_checkpoints", "audit_exports", "consents");

  /**
   * Tables whose rows the runtime role may not delete: a destroyed data key stays as a tombstone
   * (its wrapped key nulled by an UPDATE), so reads of what it sealed say "erased".
   */
  private static final List<String> NO_DELETE = List.of("data_keys");

  /** Tables the runtime role may only read. */
  private static final List<String> READ_ONLY = List.of("audit_legacy_heads");

  private RelayDatabase() {}

  /**
   * Brings the schema up to date, connected as whoever {@code dataSource} connects as (then the
   * owner). Safe to call from several processes: Flyway takes a lock.
   */
  public static void migrate(DataSource dataSource) {
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  /** Migrates as the owner, then grants the runtime role what it needs ({@link #grantRuntime}). */
  public static void migrate(DataSource owner, String runtimeRole) {
    migrate(owner);
    grantRuntime(owner, runtimeRole);
  }

  /**
   * The apps' start-up: migrate as the owner ({@code ownerUrl}, {@code ownerUser},
   * {@code ownerPassword}) and grant the role that {@code runtime} connects as. With a blank
   * {@code ownerUser} the runtime connection migrates and owns the schema, as before the roles
   * were split: it then could alter the audit table, which the log says.
   */
  public static void migrate(DataSource runtime, String ownerUrl, String ownerUser,
      String ownerPassword) {
    migrate(runtime, ownerUrl, ownerUser, ownerPassword, DatabaseTls.FROM_URL);
  }

  /**
   * As {@link #migrate(DataSource, String, String, String)}, the owner's connection with
   * {@code ownerTls} (the same {@code relay.database.ssl.*} the runtime pool has) on top of what
   * {@code ownerUrl} says.
   */
  public static void migrate(DataSource runtime, String ownerUrl, String ownerUser,
      String ownerPassword, DatabaseTls ownerTls) {
    String runtimeRole = currentUser(runtime);
    if (ownerUser == null || ownerUser.isBlank() || ownerUser.equals(runtimeRole)) {
      log.warn("Migrating as the runtime role '{}': it owns the schema and could alter or drop the"
          + " audit table's protections. Set relay.database.owner.username (and password) to a"
          + " separate owner role.", runtimeRole);
      migrate(runtime);
      return;
    }
    PGSimpleDataSource owner = new PGSimpleDataSource();
    owner.setUrl(ownerUrl);
    owner.setUser(ownerUser);
    owner.setPassword(ownerPassword);
    ownerTls.applyTo(owner);
    migrate(owner, runtimeRole);
  }

  /**
   * Grants {@code runtimeRole} SELECT, INSERT, UPDATE and DELETE on Relay's tables (and their
   * sequences), except: INSERT and SELECT only on the audit trail, its checkpoints and exports and
   * on consents; SELECT only on the legacy heads; no DELETE on data keys (destroying one is an
   * UPDATE that keeps a tombstone); nothing on Flyway's history. Idempotent; run
   * after every migration so new tables are covered. Run as the owner.
   */
  public static void grantRuntime(DataSource owner, String runtimeRole) {
    if (!runtimeRole.matches("[a-z_][a-z0-9_$]{0,62}")) {
      throw new IllegalArgumentException("runtime role '" + runtimeRole
          + "' must be a lower-case SQL identifier (letters, digits, '_')");
    }
    try (Connection c = owner.getConnection(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(
          "select rolsuper from pg_roles where rolname = '" + runtimeRole + "'")) {
        if (!rs.next()) {
          throw new IllegalStateException("the runtime database role '" + runtimeRole
              + "' does not exist: create it (create role " + runtimeRole
              + " login password '…') or connect the app as an existing role");
        }
        if (rs.getBoolean(1)) {
          log.warn("The runtime database role '{}' is a superuser: no privilege keeps it from"
              + " altering the audit table. Connect the app as an ordinary role.", runtimeRole);
        }
      }
      String schema;
      try (ResultSet rs = s.executeQuery("select current_schema()")) {
        rs.next();
        schema = '"' + rs.getString(1).replace("\"", "\"\"") + '"';
      }
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      // The worker and the API start together: concurrent GRANTs on the same tables can fail
      // with "tuple concurrently updated", so one process at a time.
      s.execute("select pg_advisory_xact_lock(hashtext('relay:grant-runtime'))");
      String r = runtimeRole;
      s.execute("grant usage on schema " + schema + " to " + r);
      s.execute("grant select, insert, update, delete on all tables in schema " + schema
          + " to " + r);
      s.execute("grant usage, select on all sequences in schema " + schema + " to " + r);
      s.execute("revoke all on flyway_schema_history from " + r);
      s.execute("revoke update, delete, truncate, references, trigger on "
          + String.join(", ", APPEND_ONLY) + " from " + r);
      s.execute("revoke insert, update, delete, truncate, references, trigger on "
          + String.join(", ", READ_ONLY) + " from " + r);
      s.execute("revoke delete, truncate, references, trigger on "
          + String.join(", ", NO_DELETE) + " from " + r);
      c.commit();
      c.setAutoCommit(auto);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot grant the runtime role '" + runtimeRole
          + "' its privileges (run the migration as the tables' owner): " + e.getMessage(), e);
    }
  }

  private static String currentUser(DataSource ds) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_user")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect to PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** A {@link Jdbi} whose audit trail uses the local-development key (tests, local tools). */
  public static Jdbi jdbi(DataSource dataSource) {
    return jdbi(dataSource, AuditKeys.localDevelopment());
  }

  /**
   * A {@link Jdbi} whose audit trail signs and verifies with {@code auditKeys}, sealing at rest
   * with the public development KEK (tests, local tools).
   */
  public static Jdbi jdbi(DataSource dataSource, AuditKeys auditKeys) {
    return jdbi(dataSource, auditKeys, new AtRest(KekRing.localDevelopment()));
  }

  /**
   * A {@link Jdbi} whose audit trail signs and verifies with {@code auditKeys} and whose
   * repositories seal sensitive columns with {@code atRest}.
   */
  public static Jdbi jdbi(DataSource dataSource, AuditKeys auditKeys, AtRest atRest) {
    Jdbi jdbi = Jdbi.create(dataSource)
        .installPlugin(new PostgresPlugin())
        .installPlugin(new SqlObjectPlugin());
    jdbi.getConfig(AuditKeysConfig.class).setKeys(auditKeys);
    jdbi.getConfig(AtRestConfig.class).setAtRest(atRest);
    return jdbi;
  }
}
