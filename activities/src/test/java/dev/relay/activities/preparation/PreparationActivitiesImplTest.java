package dev.relay.activities.preparation;

import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.relay.activities.TestStore;
import dev.relay.activities.consent.ConsentActivitiesImpl;
import dev.relay.activities.identity.IdentityActivitiesImpl;
import dev.relay.activities.payload.PayloadActivitiesImpl;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.AuditBatch;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.ConsentActivities;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.ConsentQuery;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.Preparation;
import dev.relay.contracts.activities.PrepareRequest;
import dev.relay.store.RelayDatabase;
import dev.relay.store.audit.AuditRecord;
import dev.relay.store.consent.ConsentRepository;
import dev.relay.store.recipient.ContactPoint;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Identity, consent and payload as one activity, on a real PostgreSQL. */
class PreparationActivitiesImplTest {
  private static final String DELIVERY = DeliveryIds.deliveryId(TENANT, "prep-1");
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00.123456Z");

  private TestStore store;
  private Instant asOf;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    store.deliveries.accept(DELIVERY, TENANT, "prep-1", "h", "{}", "r1", "results", "results",
        "ACCEPTED");
    store.recipients.upsert(TENANT, "r1", "Ann", true,
        List.of(new ContactPoint("EMAIL", "ann@example.com", true, null),
            new ContactPoint("SMS", "+15558675310", false, null)));
    store.consents.record(TENANT, "r1", "results", Map.of("EMAIL", true), "test", null);
    asOf = Instant.now();
    store.templates.upsert(TENANT, "results", "Hello {{name}}", null, "Hi {{name}}",
        "Hi {{name}}");
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void aVerifiedConsentingRecipientGetsARenderedPayloadAndThePendingBatchIsWritten() {
    Preparation prepared = preparation(store.consents).prepareChannel(request(Channel.EMAIL,
        "results", Map.of("name", "Ann"), pending()));

    assertThat(prepared.identity()).isEqualTo(IdentityCheck.ok("ann@example.com"));
    assertThat(prepared.consent()).isEqualTo(ConsentDecision.granted(1));
    assertThat(prepared.payload().payloadRef()).isEqualTo(DELIVERY + ":EMAIL");
    assertThat(prepared.payloadFailure()).isNull();
    assertThat(store.rendered.find(DELIVERY, "EMAIL").orElseThrow().subject())
        .isEqualTo("Hello Ann");
    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).extracting(AuditRecord::step)
        .containsExactly("accepted", "verify");
    assertThat(store.deliveries.find(TENANT, DELIVERY).orElseThrow().status())
        .isEqualTo("VERIFYING");
  }

  @Test
  void aRetryWritesNothingTwiceAndGivesTheSameAnswer() {
    PreparationActivitiesImpl activity = preparation(store.consents);
    PrepareRequest request = request(Channel.EMAIL, "results", Map.of("name", "Ann"), pending());

    Preparation first = activity.prepareChannel(request);
    Preparation again = activity.prepareChannel(request);

    assertThat(again).isEqualTo(first);
    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).hasSize(2);
    assertThat(store.audit.verifyChain(TENANT).intact()).isTrue();
  }

  @Test
  void anUnverifiedContactStopsBeforeConsentAndPayloadButThePendingBatchIsWritten() {
    Preparation prepared = preparation(store.consents).prepareChannel(request(Channel.SMS,
        "results", Map.of("name", "Ann"), pending()));

    assertThat(prepared.identity().verified()).isFalse();
    assertThat(prepared.identity().failure()).isEqualTo(DeliveryErrorType.CONTACT_UNVERIFIED);
    assertThat(prepared.consent()).isNull();
    assertThat(prepared.payload()).isNull();
    assertThat(store.rendered.find(DELIVERY, "SMS")).isEmpty();
    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).hasSize(2);
  }

  @Test
  void anUnknownRecipientIsUnverified() {
    PrepareRequest request = new PrepareRequest(TENANT, DELIVERY, "nobody", "results",
        Channel.EMAIL, asOf, "results", Map.of("name", "Ann"), List.of(), null);

    Preparation prepared = preparation(store.consents).prepareChannel(request);

    assertThat(prepared).isEqualTo(Preparation.unverified(IdentityCheck.failed(
        DeliveryErrorType.RECIPIENT_NOT_FOUND, "recipient nobody not found")));
  }

  @Test
  void missingConsentStopsBeforeThePayload() {
    store.recipients.upsert(TENANT, "r1", "Ann", true,
        List.of(new ContactPoint("SMS", "+15558675310", true, null)));

    Preparation prepared = preparation(store.consents).prepareChannel(request(Channel.SMS,
        "results", Map.of("name", "Ann"), AuditBatch.EMPTY));

    assertThat(prepared.identity().verified()).isTrue();
    assertThat(prepared.consent().granted()).isFalse();
    assertThat(prepared.consent().failure()).isEqualTo(DeliveryErrorType.CONSENT_MISSING);
    assertThat(prepared.payload()).isNull();
    assertThat(prepared.payloadFailure()).isNull();
    assertThat(store.rendered.find(DELIVERY, "SMS")).isEmpty();
  }

  @Test
  void aMissingTemplateIsUnrenderableWithItsTypeAndMessage() {
    Preparation prepared = preparation(store.consents).prepareChannel(request(Channel.EMAIL,
        "gone", Map.of("name", "Ann"), AuditBatch.EMPTY));

    assertThat(prepared.identity().verified()).isTrue();
    assertThat(prepared.consent().granted()).isTrue();
    assertThat(prepared.payload()).isNull();
    assertThat(prepared.payloadFailure()).isEqualTo(DeliveryErrorType.TEMPLATE_NOT_FOUND);
    assertThat(prepared.payloadProblem()).isEqualTo("template gone not found");
  }

  @Test
  void aMissingVariableIsUnrenderable() {
    Preparation prepared = preparation(store.consents).prepareChannel(request(Channel.EMAIL,
        "results", Map.of(), AuditBatch.EMPTY));

    assertThat(prepared.payloadFailure()).isEqualTo(DeliveryErrorType.TEMPLATE_VARIABLE_MISSING);
    assertThat(prepared.payloadProblem()).contains("name");
    assertThat(store.rendered.find(DELIVERY, "EMAIL")).isEmpty();
  }

  @Test
  void aDatabaseOutageIsThrownForTemporalToRetry() {
    store.dataSource.close();

    assertThatThrownBy(() -> preparation(store.consents).prepareChannel(request(Channel.EMAIL,
        "results", Map.of("name", "Ann"), AuditBatch.EMPTY)))
        .isInstanceOf(JdbiException.class);
  }

  @Test
  void consentServedFromTheCacheWhileItsStoreIsDownIsMarkedDegraded() {
    // The consent store on its own connection pool, so it can go away alone.
    HikariDataSource consentPool = new HikariDataSource();
    consentPool.setJdbcUrl(store.dataSource.getJdbcUrl());
    consentPool.setUsername(store.dataSource.getUsername());
    consentPool.setPassword(store.dataSource.getPassword());
    ConsentActivitiesImpl consents =
        new ConsentActivitiesImpl(new ConsentRepository(RelayDatabase.jdbi(consentPool)));
    PreparationActivitiesImpl activity = preparation(consents);
    // The worker asked recently (its own consent activity shares the cache).
    consents.resolveConsent(new ConsentQuery(TENANT, "r1", "results", Channel.EMAIL, asOf));
    consentPool.close();

    Preparation prepared = activity.prepareChannel(request(Channel.EMAIL, "results",
        Map.of("name", "Ann"), AuditBatch.EMPTY));

    assertThat(prepared.consent().granted()).isTrue();
    assertThat(prepared.consent().degraded()).isTrue();
    assertThat(prepared.consent().reason()).contains("consent store unreachable");
    assertThat(prepared.payload()).isNotNull();
  }

  private PreparationActivitiesImpl preparation(ConsentActivities consents) {
    return new PreparationActivitiesImpl(store.bookkeeping,
        new IdentityActivitiesImpl(store.recipients), consents,
        new PayloadActivitiesImpl(store.templates, store.documents, store.rendered));
  }

  private PreparationActivitiesImpl preparation(ConsentRepository consents) {
    return preparation(new ConsentActivitiesImpl(consents));
  }

  private PrepareRequest request(Channel channel, String template, Map<String, Object> variables,
      AuditBatch pending) {
    return new PrepareRequest(TENANT, DELIVERY, "r1", "results", channel, asOf, template,
        variables, List.of(), pending);
  }

  /** What the workflow decided before this activity: accepted, then verifying. */
  private static AuditBatch pending() {
    return new AuditBatch(List.of(
        new AuditEvent(TENANT, DELIVERY, 1, T0, "relay", "accepted", "ok", null, null,
            null, 0, null, null, null),
        new AuditEvent(TENANT, DELIVERY, 2, T0.plusMillis(1), "relay", "verify", "started",
            null, DeliveryStatus.VERIFYING, Channel.EMAIL, 0, null, null, null)), List.of());
  }
}
