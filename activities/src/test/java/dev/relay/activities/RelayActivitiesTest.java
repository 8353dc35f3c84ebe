package dev.relay.activities;

import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.relay.activities.channels.ScriptedSmtpServer;
import dev.relay.activities.config.ActivitiesSettings;
import dev.relay.activities.payload.PayloadActivitiesImpl;
import dev.relay.store.provider.ProviderEventRepository;
import dev.relay.store.provider.RegisteredProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.relay.activities.config.SmtpSettings;
import dev.relay.activities.config.TwilioSettings;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.AcceptRecord;
import dev.relay.contracts.activities.AuditActivities;
import dev.relay.contracts.activities.AuditBatch;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.ChannelActivities;
import dev.relay.contracts.activities.ContactVerificationActivities;
import dev.relay.contracts.activities.ConsentActivities;
import dev.relay.contracts.activities.ConsentQuery;
import dev.relay.contracts.activities.IdentityActivities;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.IdentityQuery;
import dev.relay.contracts.activities.NotificationActivities;
import dev.relay.contracts.activities.PayloadActivities;
import dev.relay.contracts.activities.PayloadRequest;
import dev.relay.contracts.activities.Preparation;
import dev.relay.contracts.activities.PreparationActivities;
import dev.relay.contracts.activities.PrepareRequest;
import dev.relay.contracts.activities.PreparedPayload;
import dev.relay.contracts.activities.SendOutcome;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.contracts.activities.StatusEventType;
import dev.relay.store.recipient.ContactPoint;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The wiring, registered with Temporal as the worker does it, called through activity stubs. */
class RelayActivitiesTest {
  private static final String DELIVERY = DeliveryIds.deliveryId(TENANT, "wired");
  private static final ActivityOptions ONE_TRY = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofSeconds(20))
      .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
      .build();

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private TestStore store;
  private TestActivityEnvironment env;
  private List<Object> activities;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    ActivitiesSettings settings = new ActivitiesSettings(
        SmtpSettings.local(greenMail.getSmtp().getPort()),
        new TwilioSettings("AC0", "token", "+15005550006", "http://localhost:1", null,
            Duration.ofSeconds(1)),
        "relay.test");
    activities = RelayActivities.all(store.jdbi, settings);
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(activities.toArray());
  }

  @AfterEach
  void tearDown() {
    env.close();
    store.close();
  }

  @Test
  void oneImplementationOfEachActivityInterface() {
    assertThat(activities).hasSize(8);
    for (Class<?> type : List.of(IdentityActivities.class, ConsentActivities.class,
        PayloadActivities.class, PreparationActivities.class, ChannelActivities.class,
        AuditActivities.class, NotificationActivities.class,
        ContactVerificationActivities.class)) {
      assertThat(activities).filteredOn(type::isInstance).hasSize(1);
    }
  }

  @Test
  void aDeliveryStepByStepThroughTemporal() {
    store.recipients.upsert(TENANT, "r1", "Ann", true,
        List.of(new ContactPoint("EMAIL", "ann@example.com", true, null)));
    store.consents.record(TENANT, "r1", "results", Map.of("EMAIL", true), "test", null);
    store.templates.upsert(TENANT, "results", "Hello {{name}}", null, "Hi {{name}}", null);
    store.deliveries.accept(DELIVERY, TENANT, "wired", "h", "{}", "r1", "results", "results",
        "ACCEPTED");

    IdentityCheck identity = env.newActivityStub(IdentityActivities.class, ONE_TRY)
        .verifyRecipient(new IdentityQuery(TENANT, "r1", Channel.EMAIL));
    assertThat(identity).isEqualTo(IdentityCheck.ok("ann@example.com"));

    assertThat(env.newActivityStub(ConsentActivities.class, ONE_TRY)
        .resolveConsent(new ConsentQuery(TENANT, "r1", "results", Channel.EMAIL, Instant.now()))
        .version()).isEqualTo(1);

    PreparedPayload payload = env.newActivityStub(PayloadActivities.class, ONE_TRY)
        .preparePayload(new PayloadRequest(TENANT, DELIVERY, "results",
            Map.of("name", "Ann"), List.of(), Channel.EMAIL));

    SendResult sent = env.newActivityStub(ChannelActivities.class, ONE_TRY)
        .sendEmail(new SendRequest(TENANT, DELIVERY, Channel.EMAIL,
            DeliveryIds.sendKey(DELIVERY, Channel.EMAIL, 1), 1, 1, identity.address(), payload));
    assertThat(sent.provider()).isEqualTo("smtp-primary");
    assertThat(sent.providerMessageId()).endsWith("@relay.test>");
    assertThat(greenMail.getReceivedMessages()).hasSize(1);

    env.newActivityStub(AuditActivities.class, ONE_TRY).recordAudit(new AuditEvent(TENANT,
        DELIVERY, 1, Instant.now(), "relay", "send", "accepted", null, DeliveryStatus.DELIVERED,
        Channel.EMAIL, 1, 1, sent.provider(), sent.providerMessageId()));
    assertThat(store.deliveries.find(TENANT, DELIVERY).orElseThrow().status())
        .isEqualTo("DELIVERED");
  }

  @Test
  void aLeanDeliveryIsTwoActivitiesThroughTemporal() {
    store.recipients.upsert(TENANT, "r1", "Ann", true,
        List.of(new ContactPoint("EMAIL", "ann@example.com", true, null)));
    store.consents.record(TENANT, "r1", "results", Map.of("EMAIL", true), "test", null);
    store.templates.upsert(TENANT, "results", "Hello {{name}}", null, "Hi {{name}}", null);
    store.deliveries.accept(DELIVERY, TENANT, "wired", "h", "{}", "r1", "results", "results",
        "ACCEPTED");
    AuditEvent accepted = new AuditEvent(TENANT, DELIVERY, 1, Instant.now(), "relay",
        "accepted", "ok", null, DeliveryStatus.VERIFYING, null, 0, null, null, null);

    Preparation prepared = env.newActivityStub(PreparationActivities.class, ONE_TRY)
        .prepareChannel(new PrepareRequest(TENANT, DELIVERY, "r1", "results", Channel.EMAIL,
            Instant.now(), "results", Map.of("name", "Ann"), List.of(),
            new AuditBatch(List.of(accepted), List.of())));
    assertThat(prepared.payload()).isNotNull();

    SendOutcome sent = env.newActivityStub(ChannelActivities.class, ONE_TRY)
        .send(new SendRequest(TENANT, DELIVERY, Channel.EMAIL,
            DeliveryIds.sendKey(DELIVERY, Channel.EMAIL, 1), 1, 1, prepared.identity().address(),
            prepared.payload(), AuditBatch.EMPTY,
            new AcceptRecord(2, DeliveryStatus.DELIVERED, StatusEventType.DELIVERED)));

    assertThat(sent.isAccepted()).isTrue();
    assertThat(sent.recorded().detail()).isEqualTo("try 1 accepted by smtp-primary");
    assertThat(greenMail.getReceivedMessages()).hasSize(1);
    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).hasSize(2);
    assertThat(store.deliveries.find(TENANT, DELIVERY).orElseThrow().status())
        .isEqualTo("DELIVERED");

    // Bookkeeping left over at the end goes in one batch.
    env.newActivityStub(AuditActivities.class, ONE_TRY).recordBatch(new AuditBatch(List.of(
        new AuditEvent(TENANT, DELIVERY, 3, Instant.now(), "relay", "complete", "ok", null, null,
            Channel.EMAIL, 1, null, null, null)), List.of()));
    assertThat(store.audit.forDelivery(TENANT, DELIVERY)).hasSize(3);
    assertThat(store.audit.verifyChain(TENANT).intact()).isTrue();
  }

  @Test
  void aSecondaryRelayAndMetricsAreWiredByTheMeterRegistryOverload() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ActivitiesSettings twoRelays = new ActivitiesSettings(
        SmtpSettings.local(ScriptedSmtpServer.closedPort()),
        new TwilioSettings("AC0", "token", "+15005550006", "http://localhost:1", null,
            Duration.ofSeconds(1)),
        "relay.test")
        .withSecondarySmtp(SmtpSettings.local(greenMail.getSmtp().getPort()));
    TestActivityEnvironment wired = TestActivityEnvironment.newInstance();
    wired.registerActivitiesImplementations(
        RelayActivities.all(store.jdbi, twoRelays, registry).toArray());
    try {
      store.templates.upsert(TENANT, "note", "Note", null, "Just text", null);
      PreparedPayload payload = new PayloadActivitiesImpl(store.templates, store.documents,
          store.rendered).preparePayload(new PayloadRequest(TENANT, DELIVERY, "note", Map.of(),
              List.of(), Channel.EMAIL));

      SendResult sent = wired.newActivityStub(ChannelActivities.class, ONE_TRY)
          .sendEmail(new SendRequest(TENANT, DELIVERY, Channel.EMAIL,
              DeliveryIds.sendKey(DELIVERY, Channel.EMAIL, 1), 1, 1, "ann@example.com", payload));

      assertThat(sent.provider()).isEqualTo("smtp-secondary");
      assertThat(greenMail.getReceivedMessages()).hasSize(1);
      assertThat(registry.find("relay_provider_state").gauges())
          .extracting(g -> g.getId().getTag("provider"))
          .containsExactlyInAnyOrder("smtp-primary", "smtp-secondary", "twilio");
      assertThat(registry.get("relay_provider_calls").tag("provider", "smtp-primary")
          .tag("outcome", "failover").counter().count()).isEqualTo(1.0);
      // The providers are registered for the status endpoint (written in the background).
      ProviderEventRepository providers = new ProviderEventRepository(store.jdbi);
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (providers.providers().size() < 3 && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertThat(providers.providers())
          .extracting(RegisteredProvider::name, RegisteredProvider::channel,
              RegisteredProvider::position)
          .containsExactly(tuple("smtp-primary", "EMAIL", 0), tuple("smtp-secondary", "EMAIL", 1),
              tuple("twilio", "SMS", 0));
    } finally {
      wired.close();
    }
  }

  @Test
  void failuresReachTheWorkflowWithTheirTypeAndRetryability() {
    ActivityFailure failure = catchThrowableOfType(ActivityFailure.class, () ->
        env.newActivityStub(PayloadActivities.class, ONE_TRY).preparePayload(
            new PayloadRequest(TENANT, DELIVERY, "missing", Map.of(), List.of(),
                Channel.EMAIL)));

    assertThat(failure.getCause()).isInstanceOfSatisfying(ApplicationFailure.class, cause -> {
      assertThat(cause.getType()).isEqualTo(DeliveryErrorType.TEMPLATE_NOT_FOUND.name());
      assertThat(cause.isNonRetryable()).isTrue();
    });
  }
}
