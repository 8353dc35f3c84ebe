package dev.relay.activities;

import com.zaxxer.hikari.HikariDataSource;
import dev.relay.activities.audit.AuditBatchWriter;
import dev.relay.store.RelayDatabase;
import dev.relay.store.UnitOfWork;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.consent.ConsentRepository;
import dev.relay.store.delivery.DeliveryRepository;
import dev.relay.store.delivery.SendLedgerRepository;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.payload.RenderedPayloadRepository;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.template.TemplateRepository;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.testing.TestDatabase;
import org.jdbi.v3.core.Jdbi;

/** A fresh, migrated PostgreSQL database with tenant {@value #TENANT}, and its repositories. */
public final class TestStore implements AutoCloseable {
  public static final String TENANT = "acme";

  public final HikariDataSource dataSource;
  public final Jdbi jdbi;
  public final RecipientRepository recipients;
  public final ConsentRepository consents;
  public final TemplateRepository templates;
  public final DocumentRepository documents;
  public final RenderedPayloadRepository rendered;
  public final SendLedgerRepository ledger;
  public final DeliveryRepository deliveries;
  public final AuditRepository audit;
  public final TenantRepository tenants;
  public final UnitOfWork unitOfWork;
  public final AuditBatchWriter bookkeeping;

  private TestStore(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    this.jdbi = RelayDatabase.jdbi(dataSource);
    this.recipients = new RecipientRepository(jdbi);
    this.consents = new ConsentRepository(jdbi);
    this.templates = new TemplateRepository(jdbi);
    this.documents = new DocumentRepository(jdbi);
    this.rendered = new RenderedPayloadRepository(jdbi);
    this.ledger = new SendLedgerRepository(jdbi);
    this.deliveries = new DeliveryRepository(jdbi);
    this.audit = new AuditRepository(jdbi);
    this.tenants = new TenantRepository(jdbi);
    this.unitOfWork = new UnitOfWork(jdbi);
    this.bookkeeping = new AuditBatchWriter(unitOfWork);
    tenants.upsertTenant(new Tenant(TENANT, "Acme", null));
  }

  public static TestStore fresh() {
    return new TestStore(TestDatabase.fresh());
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
