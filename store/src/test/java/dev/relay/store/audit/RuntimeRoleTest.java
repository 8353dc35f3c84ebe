package dev.relay.store.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariDataSource;
import dev.relay.store.RelayDatabase;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.testing.TestDatabase;
import java.sql.SQLException;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connected as the runtime role (what the apps use), the audit trail can be appended to and read,
 * and nothing else: every way to rewrite it is refused with a permission error.
 */
class RuntimeRoleTest {
  static HikariDataSource owner;
  static HikariDataSource runtime;
  static Jdbi app;

  @BeforeAll
  static void setUp() {
    owner = TestDatabase.fresh();
    runtime = TestDatabase.runtime(owner);
    app = RelayDatabase.jdbi(runtime);
    new TenantRepository(app).upsertTenant(new Tenant("acme", "Acme", null));
    new AuditRepository(app).append(new NewAuditEvent("acme", "dlv-1", 1L, Instant.now(),
        "relay", "verify", "ok", "identity verified", null, "EMAIL", 1, null, null, null));
  }

  @AfterAll
  static void tearDown() {
    runtime.close();
    owner.close();
  }

  @Test
  void theRuntimeRoleAppendsAndReadsAuditRows() {
    AuditRepository audit = new AuditRepository(app);
    audit.append(new NewAuditEvent("acme", "dlv-2", 1L, Instant.now(), "relay", "verify", "ok",
        null, null, "EMAIL", 1, null, null, null));
    assertThat(audit.forDelivery("acme", "dlv-2")).hasSize(1);
    assertThat(audit.verifyChain("acme").intact()).isTrue();
  }

  @Test
  void alterTableIsRefused() {
    assertPermissionDenied("alter table audit_events add column forged text");
  }

  @Test
  void disablingTheTriggerIsRefused() {
    assertPermissionDenied("alter table audit_events disable trigger audit_events_append_only");
  }

  @Test
  void dropTriggerIsRefused() {
    assertPermissionDenied("drop trigger audit_events_append_only on audit_events");
  }

  @Test
  void updateIsRefused() {
    assertPermissionDenied("update audit_events set detail = 'forged'");
  }

  @Test
  void deleteIsRefused() {
    assertPermissionDenied("delete from audit_events");
  }

  @Test
  void truncateIsRefused() {
    assertPermissionDenied("truncate audit_events");
  }

  @Test
  void checkpointsCannotBeRewrittenEither() {
    assertPermissionDenied("delete from audit_checkpoints");
    assertPermissionDenied("update audit_checkpoints set hash = 'x'");
  }

  @Test
  void theMigrationHistoryIsOutOfReach() {
    assertPermissionDenied("delete from flyway_schema_history");
  }

  /** SQLSTATE 42501 (insufficient_privilege): the role lacks the privilege, no trigger needed. */
  private static void assertPermissionDenied(String sql) {
    Throwable thrown = catchThrowable(() -> app.useHandle(h -> h.execute(sql)));
    assertThat(thrown).as(sql).isNotNull();
    Throwable cause = thrown;
    while (cause != null && !(cause instanceof SQLException)) {
      cause = cause.getCause();
    }
    assertThat(cause).as(sql).isInstanceOf(SQLException.class);
    assertThat(((SQLException) cause).getSQLState()).as(sql).isEqualTo("42501");
    assertThat(cause.getMessage()).as(sql).containsAnyOf("permission denied", "must be owner");
  }
}
