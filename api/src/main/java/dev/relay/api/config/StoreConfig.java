package dev.relay.api.config;

import dev.relay.store.RelayDatabase;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.consent.ConsentRepository;
import dev.relay.store.delivery.DeliveryRepository;
import dev.relay.store.delivery.ReceiptRepository;
import dev.relay.store.delivery.SendLedgerRepository;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.provider.ProviderEventRepository;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.recipient.SuppressionRepository;
import dev.relay.store.consent.PurposeRepository;
import dev.relay.store.consent.UnsubscribeTokens;
import dev.relay.store.verification.ContactVerificationRepository;
import dev.relay.store.verification.VerificationCodes;
import dev.relay.store.verification.VerificationLimits;
import dev.relay.store.sms.SmsGuardRepository;
import dev.relay.store.template.TemplateRepository;
import dev.relay.store.limits.QuotaRepository;
import dev.relay.store.limits.RateLimitBucketRepository;
import dev.relay.store.limits.TenantLimitsRepository;
import dev.relay.store.tenant.ApiKeyRepository;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.webhook.StatusWebhookRepository;
import dev.relay.store.sealed.AtRest;
import dev.relay.store.sealed.AtRestSettings;
import dev.relay.store.sealed.DataKeyRepository;
import dev.relay.store.sealed.KekRing;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The store: the schema is migrated before the first repository is handed out. */
@Configuration(proxyBeanMethods = false)
public class StoreConfig {
  private static final Logger log = LoggerFactory.getLogger(StoreConfig.class);

  /** relay.database.ssl for the runtime pool (the owner gets it in the migration below). */
  @Bean
  static DatabaseTlsPostProcessor databaseTlsPostProcessor(
      ObjectProvider<DatabaseProperties> database) {
    return new DatabaseTlsPostProcessor(database);
  }

  @Bean
  Jdbi jdbi(DataSource dataSource, DatabaseProperties database, AuditKeyProperties audit,
      AtRestProperties atRest, Environment environment) {
    // Read the KEKs first: a missing required key stops the start before anything is migrated.
    AtRest sealing = atRestCrypto(atRest.settings());
    // Migrate as the owner role; this process then works as the runtime role.
    DatabaseProperties.Owner owner = database.owner();
    RelayDatabase.migrate(dataSource,
        owner.url().isBlank() ? environment.getProperty("spring.datasource.url") : owner.url(),
        owner.username(), owner.password(), database.tls());
    return RelayDatabase.jdbi(dataSource, audit.auditKeys(), sealing);
  }

  static AtRest atRestCrypto(AtRestSettings settings) {
    KekRing ring = settings.keyring();
    if (ring.primaryIsLocalDevelopment()) {
      log.warn(settings.describe());
    } else {
      log.info(settings.describe());
    }
    return new AtRest(ring);
  }

  @Bean
  DataKeyRepository dataKeyRepository(Jdbi jdbi) {
    return new DataKeyRepository(jdbi);
  }

  @Bean
  TenantRepository tenantRepository(Jdbi jdbi) {
    return new TenantRepository(jdbi);
  }

  @Bean
  ApiKeyRepository apiKeyRepository(Jdbi jdbi) {
    return new ApiKeyRepository(jdbi);
  }

  @Bean
  TenantLimitsRepository tenantLimitsRepository(Jdbi jdbi) {
    return new TenantLimitsRepository(jdbi);
  }

  @Bean
  RateLimitBucketRepository rateLimitBucketRepository(Jdbi jdbi) {
    return new RateLimitBucketRepository(jdbi);
  }

  @Bean
  QuotaRepository quotaRepository(Jdbi jdbi) {
    return new QuotaRepository(jdbi);
  }

  @Bean
  RecipientRepository recipientRepository(Jdbi jdbi) {
    return new RecipientRepository(jdbi);
  }

  @Bean
  PurposeRepository purposeRepository(Jdbi jdbi) {
    return new PurposeRepository(jdbi);
  }

  /** One-click unsubscribe tokens, signed under keys derived from the audit keys. */
  @Bean
  UnsubscribeTokens unsubscribeTokens(AuditKeyProperties audit) {
    return new UnsubscribeTokens(audit.auditKeys());
  }

  @Bean
  ContactVerificationRepository contactVerificationRepository(Jdbi jdbi) {
    return new ContactVerificationRepository(jdbi, VerificationLimits.standard());
  }

  /** Checks the codes the worker hashed: both hash under the shared audit keys. */
  @Bean
  VerificationCodes verificationCodes(AuditKeyProperties audit) {
    return new VerificationCodes(audit.auditKeys());
  }

  @Bean
  SmsGuardRepository smsGuardRepository(Jdbi jdbi) {
    return new SmsGuardRepository(jdbi);
  }

  @Bean
  SuppressionRepository suppressionRepository(Jdbi jdbi) {
    return new SuppressionRepository(jdbi);
  }

  @Bean
  ConsentRepository consentRepository(Jdbi jdbi) {
    return new ConsentRepository(jdbi);
  }

  @Bean
  TemplateRepository templateRepository(Jdbi jdbi) {
    return new TemplateRepository(jdbi);
  }

  @Bean
  DocumentRepository documentRepository(Jdbi jdbi) {
    return new DocumentRepository(jdbi);
  }

  @Bean
  DeliveryRepository deliveryRepository(Jdbi jdbi) {
    return new DeliveryRepository(jdbi);
  }

  @Bean
  SendLedgerRepository sendLedgerRepository(Jdbi jdbi) {
    return new SendLedgerRepository(jdbi);
  }

  @Bean
  ReceiptRepository receiptRepository(Jdbi jdbi) {
    return new ReceiptRepository(jdbi);
  }

  @Bean
  AuditRepository auditRepository(Jdbi jdbi) {
    return new AuditRepository(jdbi);
  }

  @Bean
  ProviderEventRepository providerEventRepository(Jdbi jdbi) {
    return new ProviderEventRepository(jdbi);
  }

  @Bean
  StatusWebhookRepository statusWebhookRepository(Jdbi jdbi) {
    return new StatusWebhookRepository(jdbi);
  }
}
