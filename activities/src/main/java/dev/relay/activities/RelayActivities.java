package dev.relay.activities;

import dev.relay.activities.audit.AuditActivitiesImpl;
import dev.relay.activities.channels.ChannelActivitiesImpl;
import dev.relay.activities.channels.LedgeredSend;
import dev.relay.activities.channels.email.EmailChannel;
import dev.relay.activities.channels.sms.SmsChannel;
import dev.relay.activities.config.ActivitiesSettings;
import dev.relay.activities.consent.ConsentActivitiesImpl;
import dev.relay.activities.identity.IdentityActivitiesImpl;
import dev.relay.activities.payload.PayloadActivitiesImpl;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.consent.ConsentRepository;
import dev.relay.store.delivery.SendLedgerRepository;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.payload.RenderedPayloadRepository;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.template.TemplateRepository;
import java.time.Clock;
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

  /** One instance of each activity implementation; all are thread-safe. */
  public static List<Object> all(Jdbi jdbi, ActivitiesSettings settings) {
    RenderedPayloadRepository rendered = new RenderedPayloadRepository(jdbi);
    DocumentRepository documents = new DocumentRepository(jdbi);
    SendLedgerRepository ledgerEntries = new SendLedgerRepository(jdbi);
    LedgeredSend ledger = new LedgeredSend(ledgerEntries);
    String domain = settings.messageIdDomain() == null || settings.messageIdDomain().isBlank()
        ? DEFAULT_MESSAGE_ID_DOMAIN
        : settings.messageIdDomain();
    EmailChannel email = new EmailChannel(settings.smtp(), domain, rendered, documents, ledger);
    SmsChannel sms = new SmsChannel(settings.twilio(), rendered, ledgerEntries, ledger,
        Clock.systemUTC());
    return List.of(
        new IdentityActivitiesImpl(new RecipientRepository(jdbi)),
        new ConsentActivitiesImpl(new ConsentRepository(jdbi)),
        new PayloadActivitiesImpl(new TemplateRepository(jdbi), documents, rendered),
        new ChannelActivitiesImpl(email, sms),
        new AuditActivitiesImpl(new AuditRepository(jdbi)));
  }
}
