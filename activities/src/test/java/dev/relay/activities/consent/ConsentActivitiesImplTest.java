package dev.relay.activities.consent;

import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.activities.TestStore;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.ConsentQuery;
import dev.relay.store.consent.ConsentRecord;
import dev.relay.store.recipient.ContactPoint;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsentActivitiesImplTest {
  private static final String PURPOSE = "invoices";
  private TestStore store;
  private ConsentActivitiesImpl consent;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    consent = new ConsentActivitiesImpl(store.consents);
    store.recipients.upsert(TENANT, "r1", "Ann", true,
        List.of(new ContactPoint("EMAIL", "ann@example.com", true, null)));
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void noConsentIsMissingAtVersionZero() {
    assertThat(consent.resolveConsent(query(Channel.EMAIL, Instant.now())))
        .satisfies(d -> {
          assertThat(d.granted()).isFalse();
          assertThat(d.version()).isZero();
          assertThat(d.failure()).isEqualTo(DeliveryErrorType.CONSENT_MISSING);
        });
  }

  @Test
  void grantedConsentNamesItsVersion() {
    Instant v1 = record(Map.of("EMAIL", true));

    assertThat(consent.resolveConsent(query(Channel.EMAIL, v1)))
        .isEqualTo(ConsentDecision.granted(1));
  }

  @Test
  void consentIsPerChannel() {
    Instant v1 = record(Map.of("EMAIL", true, "SMS", false));

    assertThat(consent.resolveConsent(query(Channel.EMAIL, v1)).granted()).isTrue();
    assertThat(consent.resolveConsent(query(Channel.SMS, v1)))
        .satisfies(d -> assertThat(d.failure()).isEqualTo(DeliveryErrorType.CONSENT_WITHDRAWN));
  }

  @Test
  void withdrawalDeniesFromItsVersionOnAndEarlierInstantsStillSeeTheGrant() {
    Instant v1 = record(Map.of("EMAIL", true));
    Instant v2 = record(Map.of("EMAIL", false));

    ConsentDecision now = consent.resolveConsent(query(Channel.EMAIL, v2));
    assertThat(now.granted()).isFalse();
    assertThat(now.version()).isEqualTo(2);
    assertThat(now.failure()).isEqualTo(DeliveryErrorType.CONSENT_WITHDRAWN);
    assertThat(now.reason()).contains(PURPOSE).contains("EMAIL");

    // A workflow that asked as of v1 gets the same answer on every retry.
    assertThat(consent.resolveConsent(query(Channel.EMAIL, v1)))
        .isEqualTo(ConsentDecision.granted(1));
    assertThat(consent.resolveConsent(query(Channel.EMAIL, v1.minus(1, ChronoUnit.MICROS))))
        .satisfies(d -> assertThat(d.failure()).isEqualTo(DeliveryErrorType.CONSENT_MISSING));
  }

  @Test
  void regrantAfterWithdrawalUsesTheNewestVersion() {
    record(Map.of("EMAIL", true));
    record(Map.of("EMAIL", false));
    Instant v3 = record(Map.of("EMAIL", true));

    assertThat(consent.resolveConsent(query(Channel.EMAIL, v3)))
        .isEqualTo(ConsentDecision.granted(3));
  }

  @Test
  void withoutAnInstantTheClockDecides() {
    Instant v1 = record(Map.of("EMAIL", true));
    ConsentActivitiesImpl before =
        new ConsentActivitiesImpl(store.consents, Clock.fixed(v1.minusSeconds(60), ZoneOffset.UTC));

    assertThat(consent.resolveConsent(query(Channel.EMAIL, null)).granted()).isTrue();
    assertThat(before.resolveConsent(query(Channel.EMAIL, null)).failure())
        .isEqualTo(DeliveryErrorType.CONSENT_MISSING);
  }

  @Test
  void storeDownServesARecentDecisionMarkedDegraded() {
    Instant v1 = record(Map.of("EMAIL", true, "SMS", false));
    MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
    ConsentActivitiesImpl cached =
        new ConsentActivitiesImpl(store.consents, clock, java.time.Duration.ofMinutes(5));
    assertThat(cached.resolveConsent(query(Channel.EMAIL, v1)).degraded()).isFalse();
    assertThat(cached.resolveConsent(query(Channel.SMS, v1)).granted()).isFalse();

    store.dataSource.close(); // the consent store is gone
    clock.advance(java.time.Duration.ofMinutes(4));

    ConsentDecision email = cached.resolveConsent(query(Channel.EMAIL, v1));
    assertThat(email.granted()).isTrue();
    assertThat(email.degraded()).isTrue();
    assertThat(email.version()).isEqualTo(1);
    assertThat(email.reason()).contains("consent store unreachable");
    // A cached refusal stays a refusal.
    ConsentDecision sms = cached.resolveConsent(query(Channel.SMS, v1));
    assertThat(sms.granted()).isFalse();
    assertThat(sms.degraded()).isTrue();
  }

  @Test
  void storeDownBeyondTheBoundOrUnknownRecipientFailsSoTheDeliveryWaits() {
    Instant v1 = record(Map.of("EMAIL", true));
    MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
    ConsentActivitiesImpl cached =
        new ConsentActivitiesImpl(store.consents, clock, java.time.Duration.ofMinutes(5));
    cached.resolveConsent(query(Channel.EMAIL, v1));

    store.dataSource.close();
    clock.advance(java.time.Duration.ofMinutes(6));

    // A grant older than the bound is never served: the activity fails (retryable) instead.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> cached.resolveConsent(query(Channel.EMAIL, v1)))
        .isInstanceOf(org.jdbi.v3.core.JdbiException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> cached.resolveConsent(
            new ConsentQuery(TENANT, "someone-else", PURPOSE, Channel.EMAIL, v1)))
        .isInstanceOf(org.jdbi.v3.core.JdbiException.class);
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(java.time.Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Records a consent version and returns the instant the store recorded it at. */
  private Instant record(Map<String, Boolean> changes) {
    List<ConsentRecord> rows =
        store.consents.record(TENANT, "r1", PURPOSE, changes, "test", null);
    return rows.stream().map(ConsentRecord::recordedAt).max(Instant::compareTo).orElseThrow();
  }

  private static ConsentQuery query(Channel channel, Instant asOf) {
    return new ConsentQuery(TENANT, "r1", PURPOSE, channel, asOf);
  }
}
