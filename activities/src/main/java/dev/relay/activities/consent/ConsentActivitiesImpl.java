package dev.relay.activities.consent;

import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.ConsentActivities;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.ConsentQuery;
import dev.relay.store.consent.ConsentRecord;
import dev.relay.store.consent.ConsentRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves consent for a purpose on a channel.
 *
 * <p>Idempotency: a read of append-only, versioned data keyed by (tenant, recipient, purpose,
 * channel, asOf). With the workflow's {@code asOf} a retry gets the same decision even if
 * consent changed in between.
 *
 * <p>Degraded mode: while the consent store is unreachable, a decision fetched at most {@link
 * #DEFAULT_MAX_STALENESS} (configurable) ago is served from this worker's cache, marked {@code
 * degraded}; older or unknown ones fail (retryable) so the delivery waits for the store.
 */
public class ConsentActivitiesImpl implements ConsentActivities {
  public static final Duration DEFAULT_MAX_STALENESS = Duration.ofMinutes(5);
  private static final int CACHE_ENTRIES = 100_000;
  private static final Logger log = LoggerFactory.getLogger(ConsentActivitiesImpl.class);

  private final ConsentRepository consents;
  private final Clock clock;
  private final ConsentCache cache;

  public ConsentActivitiesImpl(ConsentRepository consents) {
    this(consents, Clock.systemUTC(), DEFAULT_MAX_STALENESS);
  }

  public ConsentActivitiesImpl(ConsentRepository consents, Clock clock) {
    this(consents, clock, DEFAULT_MAX_STALENESS);
  }

  public ConsentActivitiesImpl(ConsentRepository consents, Clock clock, Duration maxStaleness) {
    this.consents = consents;
    this.clock = clock;
    this.cache = new ConsentCache(maxStaleness, CACHE_ENTRIES);
  }

  @Override
  public ConsentDecision resolveConsent(ConsentQuery query) {
    String key = ConsentCache.key(query.tenantId(), query.recipientId(), query.purpose(),
        query.channel().name());
    Instant now = clock.instant();
    ConsentDecision decision;
    try {
      decision = decide(query);
    } catch (JdbiException storeDown) {
      ConsentCache.Entry cached = cache.fresh(key, now).orElseThrow(() -> storeDown);
      log.warn("consent store unreachable; serving a cached decision fetched at {}: {}",
          cached.fetchedAt(), storeDown.getMessage());
      return cached.decision().servedDegraded("consent store unreachable, decision cached at "
          + cached.fetchedAt() + " (bound " + cache.maxAge() + ")");
    }
    cache.put(key, decision, now);
    return decision;
  }

  private ConsentDecision decide(ConsentQuery query) {
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
