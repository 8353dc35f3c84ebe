package dev.relay.activities.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.relay.activities.TestStore;
import dev.relay.audit.archive.ArchiveVerifier;
import dev.relay.audit.archive.AuditExporter;
import dev.relay.audit.archive.DirectoryArchiveStore;
import dev.relay.contracts.activities.AuditSealReport;
import dev.relay.store.audit.AuditExportRepository;
import dev.relay.store.audit.NewAuditEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The scheduled verifier's activity against a real database and an archive directory: it seals
 * and exports what is new, and a break shows as a metric and an ERROR line naming tenant and
 * chain_seq, with nothing exported past it.
 */
class AuditSealActivitiesImplTest {
  @TempDir
  Path archiveDir;
  TestStore store;
  SimpleMeterRegistry registry;
  AuditSealActivitiesImpl activities;
  ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    registry = new SimpleMeterRegistry();
    AuditExporter exporter = new AuditExporter(store.audit, new AuditExportRepository(store.jdbi),
        new DirectoryArchiveStore(archiveDir), 10_000, 20);
    activities = new AuditSealActivitiesImpl(store.audit, exporter, registry, Clock.systemUTC(),
        1000);
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(AuditSealActivitiesImpl.class)).addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(AuditSealActivitiesImpl.class)).detachAppender(logs);
    store.close();
  }

  void append(String delivery, long seq) {
    store.audit.append(new NewAuditEvent(TestStore.TENANT, delivery, seq, Instant.now(), "relay",
        "step", "ok", "detail " + seq, null, "EMAIL", 1, null, null, null));
  }

  @Test
  void eachRunSealsAndExportsOnlyWhatIsNew() {
    for (long i = 1; i <= 4; i++) {
      append("dlv-1", i);
    }
    AuditSealReport first = activities.verifyAndExport();
    assertThat(first.rowsVerified()).isEqualTo(4);
    assertThat(first.checkpoints()).isEqualTo(1);
    assertThat(first.segmentsExported()).isEqualTo(1);
    assertThat(first.breaks()).isEmpty();

    AuditSealReport idle = activities.verifyAndExport();
    assertThat(idle.rowsVerified()).isZero();
    assertThat(idle.segmentsExported()).isZero();

    append("dlv-2", 1);
    AuditSealReport next = activities.verifyAndExport();
    assertThat(next.rowsVerified()).isEqualTo(1);
    assertThat(next.segmentsExported()).isEqualTo(1);

    var report = new ArchiveVerifier(new DirectoryArchiveStore(archiveDir), store.audit.keys())
        .verify(TestStore.TENANT);
    assertThat(report.intact()).isTrue();
    assertThat(report.rows()).isEqualTo(5);
    assertThat(registry.find("relay.audit.chain.breaks").counter()).isNull();
  }

  @Test
  void aBreakRaisesTheMetricAndAnErrorNamingTenantAndRow() {
    append("dlv-3", 1);
    activities.verifyAndExport();
    append("dlv-3", 2);
    append("dlv-3", 3);
    // Someone with superuser rights rewrites a row that no checkpoint covers yet.
    store.jdbi.useHandle(h -> {
      h.execute("alter table audit_events disable trigger user");
      h.execute("update audit_events set outcome = 'refused' where delivery_id = 'dlv-3'"
          + " and sequence = 2");
      h.execute("alter table audit_events enable trigger user");
    });

    AuditSealReport report = activities.verifyAndExport();
    assertThat(report.breaks()).singleElement().asString()
        .contains("tenant acme, chain_seq 2");
    assertThat(report.checkpoints()).isZero();
    assertThat(report.segmentsExported()).isZero();
    assertThat(registry.get("relay.audit.chain.breaks").tag("tenant", "acme").counter().count())
        .isEqualTo(1.0);
    assertThat(logs.list).anySatisfy(e -> {
      assertThat(e.getLevel().toString()).isEqualTo("ERROR");
      assertThat(e.getFormattedMessage()).contains("tenant=acme chain_seq=2");
    });
  }
}
