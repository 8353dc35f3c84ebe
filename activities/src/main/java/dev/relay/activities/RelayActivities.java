package dev.relay.activities;

import dev.relay.activities.audit.AuditActivitiesImpl;
import dev.relay.activities.audit.AuditBatchWriter;
import dev.relay.activities.channels.ChannelActivitiesImpl;
import dev.relay.activities.channels.LedgeredSend;
import dev.relay.activities.channels.email.EmailChannel;
import dev.relay.activities.channels.email.UnsubscribeLinks;
import dev.relay.store.audit.AuditKeysConfig;
import dev.relay.store.consent.PurposeRepository;
import dev.relay.store.consent.UnsubscribeTokens;
import dev.relay.activities.channels.email.SmtpProvider;
import dev.relay.activities.channels.routing.ProviderEventLog;
import dev.relay.activities.channels.routing.ProviderRouting;
import dev.relay.activities.channels.sms.SmsChannel;
import dev.relay.activities.channels.sms.SmsGuard;
import dev.relay.activities.channels.sms.TwilioProvider;
import dev.relay.activities.channels.sms.TwilioTexts;
import dev.relay.activities.verification.ContactVerificationActivitiesImpl;
import dev.relay.store.verification.ContactVerificationRepository;
import dev.relay.store.verification.VerificationCodes;
import dev.relay.store.verification.VerificationLimits;
import dev.relay.activities.config.ActivitiesSettings;
import dev.relay.activities.consent.ConsentActivitiesImpl;
import dev.relay.activities.identity.IdentityActivitiesImpl;
import dev.relay.activities.notifications.NotificationActivitiesImpl;
import dev.relay.activities.payload.PayloadActivitiesImpl;
import dev.relay.activities.preparation.PreparationActivitiesImpl;
import dev.relay.activities.webhooks.WebhookDispatcher;
import dev.relay.activities.webhooks.WebhookSettings;
import dev.relay.contracts.Channel;
import dev.relay.guard.net.OutboundPolicy;
import dev.relay.store.UnitOfWork;
import dev.relay.store.consent.ConsentRepository;
import dev.relay.store.delivery.SendLedgerRepository;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.payload.RenderedPayloadRepository;
import dev.relay.store.provider.ProviderEventRepository;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.sms.SmsGuardRepository;
import dev.relay.store.template.TemplateRepository;
import dev.relay.store.webhook.WebhookOutboxRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Wires every activity implementation from a {@link Jdbi} and the settings. Register the result
 * with {@code worker.registerActivitiesImplementations(RelayActivities.all(jdbi, settings).toArray())}.
 */
public final class RelayActivities {
  /** Used when the settings leave the Message-ID domain empty. */
  static final String DEFAULT_MESSAGE_ID_DOMAIN = "relay.localhost";

  private RelayActivities() {}

  /** One instance of each activity implementation; all are thread-safe. No metrics. */
  public static List<Object> all(Jdbi jdbi, ActivitiesSettings settings) {
    return all(jdbi, settings, null);
  }

  /**
   * As {@link #all(Jdbi, ActivitiesSettings)}, with provider metrics in {@code registry} (null
   * for none). Each call builds its own circuit breakers: call it once per worker process.
   */
  public static List<Object> all(Jdbi jdbi, ActivitiesSettings settings, MeterRegistry registry) {
    ProviderRouting routing = new ProviderRouting(settings.routing(),
        new ProviderEventLog(new ProviderEventRepository(jdbi)), registry);
    return withRouting(jdbi, settings, routing, registry);
  }

  /** As above, with the routing given (tests inspect and tune its breakers). */
  public static List<Object> withRouting(Jdbi jdbi, ActivitiesSettings settings,
      ProviderRouting routing) {
    return withRouting(jdbi, settings, routing, null);
  }

  /** As above, with the SMS guard's metrics in {@code registry} (null for none). */
  public static List<Object> withRouting(Jdbi jdbi, ActivitiesSettings settings,
      ProviderRouting routing, MeterRegistry registry) {
    SmsGuard smsGuard = new SmsGuard(new SmsGuardRepository(jdbi), settings.smsGuard(), registry);
    RenderedPayloadRepository rendered = new RenderedPayloadRepository(jdbi);
    DocumentRepository documents = new DocumentRepository(jdbi);
    SendLedgerRepository ledgerEntries = new SendLedgerRepository(jdbi);
    UnitOfWork unitOfWork = new UnitOfWork(jdbi);
    AuditBatchWriter bookkeeping = new AuditBatchWriter(unitOfWork);
    LedgeredSend ledger = new LedgeredSend(ledgerEntries, unitOfWork);
    String domain = settings.messageIdDomain() == null || settings.messageIdDomain().isBlank()
        ? DEFAULT_MESSAGE_ID_DOMAIN
        : settings.messageIdDomain();

    List<SmtpProvider> relays = new ArrayList<>();
    if (settings.smtp() != null) {
      relays.add(new SmtpProvider(EmailChannel.PRIMARY, settings.smtp(), domain));
    }
    if (settings.secondarySmtp() != null) {
      relays.add(new SmtpProvider(EmailChannel.SECONDARY, settings.secondarySmtp(), domain));
    }
    // Every relay sends the same Message-ID, so an ambiguous send may be finished by another.
    UnsubscribeLinks unsubscribe = settings.unsubscribeBaseUrl() == null
        ? UnsubscribeLinks.none()
        : new UnsubscribeLinks(new PurposeRepository(jdbi),
            new UnsubscribeTokens(jdbi.getConfig(AuditKeysConfig.class).keys()),
            settings.unsubscribeBaseUrl());
    EmailChannel email = new EmailChannel(routing.route(Channel.EMAIL, relays, true),
        rendered, documents, ledger, unsubscribe);

    List<TwilioProvider> sms = new ArrayList<>();
    if (settings.twilio() != null && settings.twilio().accountSid() != null) {
      sms.add(new TwilioProvider(SmsChannel.PROVIDER, settings.twilio(), ledgerEntries,
          Clock.systemUTC()));
    }
    // Only the provider that may have an ambiguous SMS can look it up.
    SmsChannel smsChannel = new SmsChannel(routing.route(Channel.SMS, sms, false), rendered,
        ledger, smsGuard);

    IdentityActivitiesImpl identity = new IdentityActivitiesImpl(new RecipientRepository(jdbi),
        smsGuard);
    // One instance serves both consent and preparation: one degraded-mode cache per worker.
    ConsentActivitiesImpl consent = new ConsentActivitiesImpl(new ConsentRepository(jdbi));
    PayloadActivitiesImpl payload =
        new PayloadActivitiesImpl(new TemplateRepository(jdbi), documents, rendered);
    // Relay's own verification codes: through the same SMS guard as every SMS.
    ContactVerificationActivitiesImpl verification = new ContactVerificationActivitiesImpl(
        new ContactVerificationRepository(jdbi, VerificationLimits.standard()),
        new VerificationCodes(jdbi.getConfig(AuditKeysConfig.class).keys()), smsGuard,
        sms.isEmpty() ? null : new TwilioTexts(settings.twilio()));
    return List.of(
        identity,
        consent,
        payload,
        new PreparationActivitiesImpl(bookkeeping, identity, consent, payload),
        new ChannelActivitiesImpl(email, smsChannel, bookkeeping, Clock.systemUTC()),
        new AuditActivitiesImpl(bookkeeping),
        new NotificationActivitiesImpl(new WebhookOutboxRepository(jdbi)),
        verification);
  }

  /**
   * The sender of queued status events (not an activity: the worker polls it on a schedule, so a
   * slow client endpoint never holds up a workflow). {@code registry} may be null.
   */
  public static WebhookDispatcher webhookDispatcher(Jdbi jdbi, WebhookSettings settings,
      MeterRegistry registry) {
    return webhookDispatcher(jdbi, settings, registry, OutboundPolicy.strict());
  }

  /** As above, with the outbound policy (the local-development flag, or a test's resolver). */
  public static WebhookDispatcher webhookDispatcher(Jdbi jdbi, WebhookSettings settings,
      MeterRegistry registry, OutboundPolicy policy) {
    return new WebhookDispatcher(new WebhookOutboxRepository(jdbi), settings, registry,
        Clock.systemUTC(), policy);
  }
}
