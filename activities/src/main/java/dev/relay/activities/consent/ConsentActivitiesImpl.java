package dev.relay.activities.consent;

import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.ConsentActivities;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.ConsentQuery;
import dev.relay.store.consent.ConsentRecord;
import dev.relay.store.consent.ConsentRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Resolves consent for a purpose on a channel.
 *
 * <p>Idempotency: a read of append-only, versioned data keyed by (tenant, recipient, purpose,
 * channel, asOf). With the workflow's {@code asOf} a retry gets the same decision even if
 * consent changed in between.
 */
public class ConsentActivitiesImpl implements ConsentActivities {
  private final ConsentRepository consents;
  private final Clock clock;

  public ConsentActivitiesImpl(ConsentRepository consents) {
    this(consents, Clock.systemUTC());
  }

  public ConsentActivitiesImpl(ConsentRepository consents, Clock clock) {
    this.consents = consents;
    this.clock = clock;
  }

  @Override
  public ConsentDecision resolveConsent(ConsentQuery query) {
    // A caller without an instant asks about "now"; workflows always pass their own time.
    Instant asOf = query.asOf() != null ? query.asOf() : clock.instant();
    String channel = query.channel().name();
    Optional<ConsentRecord> record = consents.decisionAsOf(query.tenantId(),
        query.recipientId(), query.purpose(), channel, asOf);
    if (record.isEmpty()) {
      return ConsentDecision.denied(0, DeliveryErrorType.CONSENT_MISSING,
          "no consent for purpose " + query.purpose() + " on " + channel + " as of " + asOf);
    }
    ConsentRecord consent = record.get();
    if (!consent.granted()) {
      return ConsentDecision.denied(consent.version(), DeliveryErrorType.CONSENT_WITHDRAWN,
          "consent for purpose " + query.purpose() + " on " + channel + " withdrawn (version "
              + consent.version() + ")");
    }
    return ConsentDecision.granted(consent.version());
  }
}
