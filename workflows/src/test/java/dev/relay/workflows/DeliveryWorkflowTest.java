package dev.relay.workflows;

import static dev.relay.contracts.Channel.EMAIL;
import static dev.relay.contracts.Channel.SMS;
import static dev.relay.workflows.FakeActivities.SendOutcome.LOST_RESPONSE;
import static dev.relay.workflows.FakeActivities.SendOutcome.REJECT;
import static dev.relay.workflows.FakeActivities.SendOutcome.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.SearchAttributes;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryView;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import dev.relay.contracts.workflow.ProviderReceipt;
import dev.relay.contracts.workflow.SupportAction;
import dev.relay.contracts.workflow.TimelineEntry;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.worker.WorkerFactoryOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DeliveryWorkflowTest {

  private static final SupportAction AGENT = SupportAction.of("agent-7", "provider is back");

  private DeliveryTestEnv t;
  private FakeActivities fake;

  @BeforeEach
  void setUp() {
    t = new DeliveryTestEnv();
    fake = t.fake;
  }

  @AfterEach
  void tearDown() {
    t.close();
  }

  // ------------------------------------------------------------------ happy paths

  @Test
  void aConsentDecisionFromTheDegradedCacheIsMarkedInTheAudit() {
    fake.consent(EMAIL, ConsentDecision.granted(4).servedDegraded("consent store unreachable"));
    DeliveryView view = t.result(t.start(t.request("email-degraded", EMAIL)));

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    AuditEvent decision = audit("consent", "granted-degraded");
    assertThat(decision.consentVersion()).isEqualTo(4);
    assertThat(decision.detail()).contains("degraded").contains("consent store unreachable");
  }

  @Test
  void emailIsDeliveredWhenTheRelayAcceptsIt() {
    DeliveryRequest request = t.request("email-happy", EMAIL);
    DeliveryWorkflow wf = t.start(request);

    DeliveryView view = t.result(wf);

    String sendKey = DeliveryIds.sendKey(request.deliveryId(), EMAIL, 1);
    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.channel()).isEqualTo(EMAIL);
    assertThat(view.attempts()).isEqualTo(1);
    assertThat(view.providerMessageId()).isEqualTo(FakeActivities.messageId(EMAIL, sendKey));
    assertThat(fake.auditSteps()).containsExactly("accept/ok", "verify/started", "verify/ok",
        "consent/granted", "prepare/ok", "send/accepted");
    assertThat(fake.audits()).extracting(AuditEvent::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(fake.audits()).extracting(AuditEvent::actor).containsOnly("relay");
    assertThat(fake.auditStatuses()).containsExactly(DeliveryStatus.ACCEPTED, DeliveryStatus.VERIFYING,
        DeliveryStatus.CHECKING_CONSENT, DeliveryStatus.PREPARING, DeliveryStatus.SENDING,
        DeliveryStatus.DELIVERED);
    assertThat(audit("consent", "granted").consentVersion()).isEqualTo(1);
    AuditEvent sent = fake.lastAudit();
    assertThat(sent.provider()).isEqualTo("smtp");
    assertThat(sent.providerMessageId()).isEqualTo(view.providerMessageId());
    assertThat(sent.attempts()).isEqualTo(1);
    SendRequest send = fake.sendCalls().get(0);
    assertThat(send.sendKey()).isEqualTo(sendKey);
    assertThat(send.round()).isEqualTo(1);
    assertThat(send.tryNumber()).isEqualTo(1);
    assertThat(send.address()).isEqualTo("ada@example.org");
    assertThat(fake.consentCalls().get(0).asOf()).isNotNull();
    assertThat(view.timeline()).extracting(TimelineEntry::step)
        .containsExactly("accept", "verify", "verify", "consent", "prepare", "send");
    assertThat(t.searchStatus(wf)).isEqualTo("DELIVERED");
    assertThat(t.searchAttribute(wf, SearchAttributes.CHANNEL)).isEqualTo("EMAIL");
    assertThat(t.searchAttribute(wf, SearchAttributes.TENANT)).isEqualTo("acme");
    assertThat(t.searchAttribute(wf, SearchAttributes.RECIPIENT_ID)).isEqualTo("rcp-42");
    assertThat(t.searchAttribute(wf, SearchAttributes.PURPOSE)).isEqualTo("legal-notice");
  }

  @Test
  void smsIsDeliveredWhenTheDeliveredReceiptArrives() {
    DeliveryRequest request = t.request("sms-happy", SMS);
    DeliveryWorkflow wf = t.start(request);
    t.settle();

    assertThat(wf.status().status()).isEqualTo(DeliveryStatus.AWAITING_RECEIPT);
    assertThat(t.searchStatus(wf)).isEqualTo("AWAITING_RECEIPT");
    String sendKey = DeliveryIds.sendKey(request.deliveryId(), SMS, 1);
    t.receipt(request.deliveryId(), sendKey, "sent", null); // intermediate: timeline only
    t.receipt(request.deliveryId(), sendKey, "delivered", null);

    DeliveryView view = t.result(wf);
    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.channel()).isEqualTo(SMS);
    assertThat(view.providerMessageId()).isEqualTo(FakeActivities.messageId(SMS, sendKey));
    assertThat(fake.auditSteps()).endsWith("send/accepted", "receipt/delivered");
    assertThat(fake.auditSteps()).doesNotContain("receipt/sent");
    assertThat(view.timeline()).anyMatch(e -> e.step().equals("receipt") && e.detail().startsWith("sent"));
    assertThat(fake.lastAudit().providerMessageId()).isEqualTo(view.providerMessageId());
    assertThat(t.searchStatus(wf)).isEqualTo("DELIVERED");
  }

  @Test
  void smsReceiptThatBeatsTheSendResultIsNotLost() {
    t.smsDeliveredImmediately();
    DeliveryWorkflow wf = t.start(t.request("sms-race", SMS));

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(fake.auditSteps()).endsWith("send/accepted", "receipt/delivered");
    // Settled by the buffered receipt, not by waiting out the 15-minute receipt timeout.
    assertThat(elapsed(view)).isLessThan(Duration.ofMinutes(1));
  }

  // ------------------------------------------------------------------ rejections and fallback

  @Test
  void identityRejectionEndsRejectedWithNothingSent() {
    fake.identity(EMAIL, IdentityCheck.failed(DeliveryErrorType.CONTACT_SUPPRESSED, "hard bounce"));
    DeliveryWorkflow wf = t.start(t.request("identity-rejected", EMAIL));

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.REJECTED);
    assertThat(view.reason()).contains("email identity CONTACT_SUPPRESSED (hard bounce)");
    assertThat(view.attempts()).isZero();
    assertThat(fake.sendCalls()).isEmpty();
    assertThat(fake.consentCalls()).isEmpty();
    assertThat(audit("verify", "rejected").detail()).contains("CONTACT_SUPPRESSED");
    assertThat(fake.auditSteps()).endsWith("verify/rejected", "round/rejected");
    assertThat(fake.lastAudit().status()).isEqualTo(DeliveryStatus.REJECTED);
    assertThat(t.searchStatus(wf)).isEqualTo("REJECTED");
  }

  @Test
  void withdrawnConsentEndsRejectedAndTheAuditKeepsTheConsentVersion() {
    fake.consent(EMAIL, ConsentDecision.denied(3, DeliveryErrorType.CONSENT_WITHDRAWN, "withdrawn"));
    DeliveryWorkflow wf = t.start(t.request("consent-withdrawn", EMAIL));

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.REJECTED);
    assertThat(view.reason()).contains("email consent withdrawn (version 3)");
    assertThat(fake.sendCalls()).isEmpty();
    AuditEvent decision = audit("consent", "rejected");
    assertThat(decision.consentVersion()).isEqualTo(3);
    assertThat(decision.channel()).isEqualTo(EMAIL);
  }

  @Test
  void withdrawnEmailConsentFallsBackToSms() {
    fake.consent(EMAIL, ConsentDecision.denied(3, DeliveryErrorType.CONSENT_WITHDRAWN, "withdrawn"))
        .consent(SMS, ConsentDecision.granted(7));
    t.smsDeliveredImmediately();
    DeliveryWorkflow wf = t.start(t.request("fallback-sms", EMAIL, SMS));

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.channel()).isEqualTo(SMS);
    assertThat(view.attempts()).isEqualTo(1);
    assertThat(fake.sendCalls()).extracting(SendRequest::channel).containsOnly(SMS);
    assertThat(fake.consentCalls()).extracting(q -> q.channel()).containsExactly(EMAIL, SMS);
    assertThat(audit("fallback", "next-channel").detail())
        .isEqualTo("fallback to SMS: email consent withdrawn (version 3)");
    assertThat(t.searchAttribute(wf, SearchAttributes.CHANNEL)).isEqualTo("SMS");
    // The substitution never bypasses consent: the substitute's own grant is audited with the
    // version it used, after the refusal of the first channel with its version.
    assertThat(audit("consent", "rejected")).satisfies(e -> {
      assertThat(e.channel()).isEqualTo(EMAIL);
      assertThat(e.consentVersion()).isEqualTo(3);
    });
    assertThat(audit("consent", "granted")).satisfies(e -> {
      assertThat(e.channel()).isEqualTo(SMS);
      assertThat(e.consentVersion()).isEqualTo(7);
    });
    assertThat(fake.auditSteps()).containsSubsequence("consent/rejected", "fallback/next-channel",
        "consent/granted", "send/accepted");
  }

  @Test
  void aSubstitutionIsCountedWithItsChannelsInTheWorkflowMetrics() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Scope scope = new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofSeconds(1));
    // No workflow cache: every workflow task replays the history, fallback included. The
    // replay-aware metrics scope still counts the substitution once.
    WorkerFactoryOptions noCache = WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build();
    try (DeliveryTestEnv metered = new DeliveryTestEnv(scope, noCache)) {
      metered.fake.consent(EMAIL,
          ConsentDecision.denied(3, DeliveryErrorType.CONSENT_WITHDRAWN, "withdrawn"));
      metered.smsDeliveredImmediately();
      DeliveryWorkflow wf = metered.start(metered.request("substitution-metric", EMAIL, SMS));

      assertThat(metered.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
    }
    scope.close(); // reports what is pending

    assertThat(registry.get(DeliveryWorkflowImpl.CHANNEL_SUBSTITUTIONS)
        .tag("from", "EMAIL").tag("to", "SMS").counter().count()).isEqualTo(1.0);
  }

  @Test
  void aDeliveryWithoutFallbackCountsNoSubstitution() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Scope scope = new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofSeconds(1));
    try (DeliveryTestEnv metered = new DeliveryTestEnv(scope)) {
      DeliveryWorkflow wf = metered.start(metered.request("no-substitution", EMAIL, SMS));

      assertThat(metered.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
    }
    scope.close();

    assertThat(registry.find(DeliveryWorkflowImpl.CHANNEL_SUBSTITUTIONS).counters()).isEmpty();
  }

  @Test
  void noFallbackWhenSmsConsentIsMissingToo() {
    fake.consent(EMAIL, ConsentDecision.denied(3, DeliveryErrorType.CONSENT_WITHDRAWN, "withdrawn"))
        .consent(SMS, ConsentDecision.denied(0, DeliveryErrorType.CONSENT_MISSING, "never given"));
    DeliveryWorkflow wf = t.start(t.request("no-consent", EMAIL, SMS));

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.REJECTED);
    assertThat(view.reason())
        .isEqualTo("email consent withdrawn (version 3); sms consent missing (version 0)");
    assertThat(fake.sendCalls()).isEmpty();
    assertThat(fake.audits().stream().filter(e -> "consent".equals(e.step())))
        .extracting(AuditEvent::consentVersion).containsExactly(3, 0);
  }

  @Test
  void payloadErrorMovesToTheNextChannel() {
    fake.payloadError(EMAIL, DeliveryErrorType.TEMPLATE_CHANNEL_MISSING);
    t.smsDeliveredImmediately();
    DeliveryWorkflow wf = t.start(t.request("payload-error", EMAIL, SMS));

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.channel()).isEqualTo(SMS);
    assertThat(audit("prepare", "rejected").detail()).contains("TEMPLATE_CHANNEL_MISSING");
    assertThat(fake.sendCalls()).extracting(SendRequest::channel).containsOnly(SMS);
  }

  // ------------------------------------------------------------------ send retries

  @Test
  void transientErrorsAreRetriedWithTheSameSendKey() {
    fake.sends(EMAIL, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
    DeliveryRequest request = t.request("transient", EMAIL);
    DeliveryWorkflow wf = t.start(request);

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.attempts()).isEqualTo(1);
    assertThat(fake.sendCalls()).extracting(SendRequest::tryNumber).containsExactly(1, 2, 3, 4);
    assertThat(fake.sendCalls()).extracting(SendRequest::sendKey)
        .containsOnly(DeliveryIds.sendKey(request.deliveryId(), EMAIL, 1));
    assertThat(fake.auditSteps()).filteredOn("send/failed"::equals).hasSize(3);
    assertThat(audit("send", "failed").detail()).contains("try 1 of 6", "PROVIDER_UNAVAILABLE");
    // Three backoffs of at least half of 200, 400 and 800 ms went by in workflow time.
    assertThat(elapsed(view)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
  }

  @Test
  void aDatabaseOutageDuringSendDoesNotSpendTheRoundsTries() {
    FakeActivities.SendOutcome down = FakeActivities.SendOutcome.STORE_DOWN;
    fake.sends(EMAIL, down, down, down, down, down, down, down, down, UNAVAILABLE);
    DeliveryView view = t.result(t.start(t.request("store-down", EMAIL)));

    // Eight failures of Relay's own ledger and one provider failure: still delivered on the
    // second real try, in the first round, not NEEDS_ATTENTION after six.
    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.attempts()).isEqualTo(1);
    assertThat(fake.sendCalls()).hasSize(10);
    assertThat(fake.sendCalls()).extracting(SendRequest::tryNumber).last().isEqualTo(2);
  }

  @Test
  void openBreakersMakeTheNextTryWaitUntilAProviderTakesCallsAgain() {
    fake.sends(EMAIL, FakeActivities.SendOutcome.BREAKER_OPEN);
    DeliveryView view = t.result(t.start(t.request("breaker-open", EMAIL)));

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(fake.sendCalls()).extracting(SendRequest::tryNumber).containsExactly(1, 2);
    // The hint (20 s, the breaker's remaining open time) replaced the 200 ms backoff, so the
    // round's tries are not spent while no provider can be called.
    assertThat(elapsed(view)).isGreaterThanOrEqualTo(FakeActivities.BREAKER_WAIT);
  }

  @Test
  void aLostSendResultIsAnsweredByTheLedgerWithoutASecondSend() {
    fake.sends(EMAIL, LOST_RESPONSE);
    DeliveryWorkflow wf = t.start(t.request("ledger", EMAIL));

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(fake.sendCalls()).hasSize(2);
    assertThat(fake.providerAccepts()).hasSize(1); // exactly one send per round
    assertThat(fake.lastAudit().detail()).contains("from send ledger");
  }

  @Test
  void permanentErrorIsNotRetriedAndFallsBackToTheNextChannel() {
    fake.sends(EMAIL, REJECT);
    t.smsDeliveredImmediately();
    DeliveryRequest request = t.request("permanent-fallback", EMAIL, SMS);
    DeliveryWorkflow wf = t.start(request);

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.channel()).isEqualTo(SMS);
    assertThat(view.attempts()).isEqualTo(2);
    assertThat(fake.sendCalls()).extracting(SendRequest::sendKey).containsExactly(
        DeliveryIds.sendKey(request.deliveryId(), EMAIL, 1),
        DeliveryIds.sendKey(request.deliveryId(), SMS, 2));
    assertThat(audit("fallback", "next-channel").detail())
        .startsWith("fallback to SMS: email send rejected: PROVIDER_REJECTED");
  }

  @Test
  void permanentErrorOnTheLastChannelNeedsAttention() {
    fake.sends(EMAIL, REJECT);
    DeliveryWorkflow wf = t.start(t.request("permanent-last", EMAIL));
    t.settle();

    DeliveryView view = wf.status();
    assertThat(view.status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    assertThat(view.reason()).startsWith("email send rejected: PROVIDER_REJECTED");
    assertThat(fake.sendCalls()).hasSize(1);
    assertThat(t.searchStatus(wf)).isEqualTo("NEEDS_ATTENTION");
  }

  // ------------------------------------------------------------------ support actions

  @Test
  void exhaustedTriesNeedAttentionAndRetryDelivers() {
    DeliveryWorkflow wf = exhaustedEmailDelivery("retry");
    assertThat(fake.sendCalls()).hasSize(6);
    assertThat(wf.status().reason()).startsWith("email send failed after 6 tries: PROVIDER_UNAVAILABLE");

    DeliveryView afterRetry = wf.retry(AGENT);

    assertThat(afterRetry.status()).isNotEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    DeliveryView view = t.result(wf);
    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.attempts()).isEqualTo(2);
    assertThat(fake.sendCalls().get(6).sendKey()).endsWith(":email:2");
    assertThat(fake.identityCalls()).hasSize(2); // identity and consent are checked again
    assertThat(fake.consentCalls()).hasSize(2);
    AuditEvent action = audit("support.retry", "accepted");
    assertThat(action.actor()).isEqualTo("agent-7");
    assertThat(action.detail()).contains("provider is back");
  }

  @Test
  void rerouteSendsOverTheGivenChannelAfterCheckingItsConsent() {
    DeliveryWorkflow wf = exhaustedEmailDelivery("reroute");
    t.smsDeliveredImmediately();

    wf.reroute(new SupportAction("agent-7", "email provider down", SMS, null));

    DeliveryView view = t.result(wf);
    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.channel()).isEqualTo(SMS);
    assertThat(fake.consentCalls()).extracting(q -> q.channel()).containsExactly(EMAIL, SMS);
    assertThat(audit("support.reroute", "accepted").actor()).isEqualTo("agent-7");
  }

  @Test
  void rerouteRefusedByConsentGoesBackToNeedsAttention() {
    fake.consent(SMS, ConsentDecision.denied(2, DeliveryErrorType.CONSENT_WITHDRAWN, "withdrawn"));
    DeliveryWorkflow wf = exhaustedEmailDelivery("reroute-refused");

    wf.reroute(new SupportAction("agent-7", "email provider down", SMS, null));
    t.settle();

    DeliveryView view = wf.status();
    assertThat(view.status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    assertThat(view.reason()).isEqualTo("sms consent withdrawn (version 2)");
    assertThat(fake.sendCalls()).extracting(SendRequest::channel).containsOnly(EMAIL);
  }

  @Test
  void cancelEndsTheDelivery() {
    DeliveryWorkflow wf = exhaustedEmailDelivery("cancel");

    DeliveryView afterCancel = wf.cancel(SupportAction.of("agent-7", "client withdrew the notice"));

    assertThat(afterCancel.status()).isEqualTo(DeliveryStatus.CANCELLED);
    assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.CANCELLED);
    AuditEvent last = fake.lastAudit();
    assertThat(last.step()).isEqualTo("support.cancel");
    assertThat(last.actor()).isEqualTo("agent-7");
    assertThat(last.status()).isEqualTo(DeliveryStatus.CANCELLED);
    assertThat(t.searchStatus(wf)).isEqualTo("CANCELLED");
  }

  @Test
  void markDeliveredRecordsTheEvidence() {
    DeliveryWorkflow wf = exhaustedEmailDelivery("mark");

    DeliveryView after = wf.markDelivered(
        new SupportAction("agent-7", "recipient confirmed by phone", null, "call ref 991"));

    assertThat(after.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
    AuditEvent last = fake.lastAudit();
    assertThat(last.step()).isEqualTo("support.markDelivered");
    assertThat(last.detail()).contains("call ref 991");
    assertThat(fake.sendCalls()).hasSize(6);
  }

  @Test
  void invalidActionsAreRejectedByTheValidatorAndChangeNothing() {
    DeliveryWorkflow wf = exhaustedEmailDelivery("invalid");
    String id = wf.status().deliveryId();
    int historyBefore = nonTaskEvents(id).size();
    int auditsBefore = fake.audits().size();

    assertThatThrownBy(() -> wf.markDelivered(SupportAction.of("agent-7", "trust me")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause().hasMessageContaining("evidence");
    assertThatThrownBy(() -> wf.retry(SupportAction.of(" ", "again")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause().hasMessageContaining("actor");
    assertThatThrownBy(() -> wf.reroute(SupportAction.of("agent-7", "no channel given")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause().hasMessageContaining("channel");

    assertThat(wf.status().status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    assertThat(nonTaskEvents(id)).hasSize(historyBefore);
    assertThat(nonTaskEvents(id)).noneMatch(e ->
        e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    assertThat(fake.audits()).hasSize(auditsBefore);
  }

  @Test
  void retryIsRejectedOutsideNeedsAttention() {
    DeliveryWorkflow awaiting = t.start(t.request("retry-awaiting", SMS));
    t.settle();

    assertThatThrownBy(() -> awaiting.retry(AGENT))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause().isInstanceOfSatisfying(ApplicationFailure.class, failure ->
            assertThat(failure.getOriginalMessage())
                .startsWith("cannot retry a delivery in state AWAITING_RECEIPT"));
    assertThat(awaiting.status().status()).isEqualTo(DeliveryStatus.AWAITING_RECEIPT);

    // Once DELIVERED the workflow has completed, so no validator runs: the server refuses the
    // update as not found, and the client gets WorkflowNotFoundException.
    DeliveryWorkflow delivered = t.start(t.request("retry-delivered", EMAIL));
    assertThat(t.result(delivered).status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThatThrownBy(() -> delivered.retry(AGENT)).isInstanceOf(WorkflowNotFoundException.class);
    assertThat(delivered.status().status()).isEqualTo(DeliveryStatus.DELIVERED);
  }

  // ------------------------------------------------------------------ receipts, deadline, cancel

  @Test
  void undeliveredSmsFallsBackToTheNextChannel() {
    fake.beforeSmsReturns(send -> t.receipt(send.deliveryId(), send.sendKey(), "undelivered", "30003"));
    DeliveryWorkflow wf = t.start(t.request("undelivered", SMS, EMAIL));

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.channel()).isEqualTo(EMAIL);
    assertThat(view.attempts()).isEqualTo(2);
    assertThat(audit("receipt", "failed").detail()).isEqualTo("sms receipt undelivered (error 30003)");
    assertThat(audit("fallback", "next-channel").detail())
        .isEqualTo("fallback to EMAIL: sms receipt undelivered (error 30003)");
  }

  @Test
  void missingReceiptNeedsAttentionWithoutFallback() {
    DeliveryRequest request = t.request("receipt-timeout", SMS, EMAIL);
    DeliveryWorkflow wf = t.start(request);
    t.env.sleep(Duration.ofMinutes(20));

    DeliveryView view = wf.status();
    assertThat(view.status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    assertThat(view.reason()).isEqualTo("no delivery receipt within PT15M");
    assertThat(fake.sendCalls()).extracting(SendRequest::channel).containsOnly(SMS);
    assertThat(t.searchStatus(wf)).isEqualTo("NEEDS_ATTENTION");

    // The SMS did arrive after all: a late receipt still settles the delivery.
    t.receipt(request.deliveryId(), DeliveryIds.sendKey(request.deliveryId(), SMS, 1), "delivered", null);
    assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
  }

  @Test
  void deadlineExpiresADeliveryThatIsStillWaiting() {
    Instant deadline = Instant.ofEpochMilli(t.env.currentTimeMillis()).plus(Duration.ofMinutes(5));
    DeliveryWorkflow wf = t.start(t.request("deadline", deadline, SMS));

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.EXPIRED);
    assertThat(view.reason()).contains("deadline");
    // A deadline closer than twice the delay notice gets the notice at its midpoint.
    assertThat(fake.auditSteps()).endsWith("send/accepted", "delayed/late", "deadline/expired");
    assertThat(view.delayed()).isTrue();
    assertThat(fake.lastAudit().status()).isEqualTo(DeliveryStatus.EXPIRED);
    assertThat(t.searchStatus(wf)).isEqualTo("EXPIRED");
  }

  @Test
  void deadlineAlsoEndsADeliveryThatNeedsAttention() {
    fake.sends(EMAIL, REJECT);
    Instant deadline = Instant.ofEpochMilli(t.env.currentTimeMillis()).plus(Duration.ofHours(2));
    DeliveryWorkflow wf = t.start(t.request("deadline-attention", deadline, EMAIL));

    DeliveryView view = t.result(wf);

    assertThat(view.status()).isEqualTo(DeliveryStatus.EXPIRED);
    assertThat(fake.auditStatuses()).contains(DeliveryStatus.NEEDS_ATTENTION);
  }

  @Test
  void cancelWhileAwaitingReceipt() {
    DeliveryWorkflow wf = t.start(t.request("cancel-awaiting", SMS));
    t.settle();
    assertThat(wf.status().status()).isEqualTo(DeliveryStatus.AWAITING_RECEIPT);

    DeliveryView after = wf.cancel(SupportAction.of("agent-7", "wrong recipient"));

    assertThat(after.status()).isEqualTo(DeliveryStatus.CANCELLED);
    assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.CANCELLED);
    assertThat(fake.auditSteps()).endsWith("send/accepted", "support.cancel/accepted");
    assertThat(t.searchStatus(wf)).isEqualTo("CANCELLED");
  }

  @Test
  void clientCancellationIsRecordedAsCancelled() {
    DeliveryWorkflow wf = t.start(t.request("client-cancel", SMS));
    t.settle();

    WorkflowStub.fromTyped(wf).cancel();

    // Temporal closes a cancel-requested workflow as CANCELED; the end is still recorded first.
    assertThatThrownBy(() -> t.result(wf)).isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    assertThat(wf.status().status()).isEqualTo(DeliveryStatus.CANCELLED);
    AuditEvent last = fake.lastAudit();
    assertThat(last.step()).isEqualTo("cancel");
    assertThat(last.actor()).isEqualTo("client");
    assertThat(last.status()).isEqualTo(DeliveryStatus.CANCELLED);
  }

  @Test
  void markDeliveredWhileAwaitingReceipt() {
    DeliveryWorkflow wf = t.start(t.request("mark-awaiting", SMS));
    t.settle();

    DeliveryView after = wf.markDelivered(
        new SupportAction("agent-7", "recipient replied", null, "reply SMS 12:03"));

    assertThat(after.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(t.result(wf).status()).isEqualTo(DeliveryStatus.DELIVERED);
  }

  @Test
  void receiptForAnotherMessageIsIgnored() {
    DeliveryRequest request = t.request("other-receipt", SMS);
    DeliveryWorkflow wf = t.start(request);
    t.settle();

    wf.receipt(new ProviderReceipt("SM-unrelated", "delivered", null, DeliveryTestEnv.RECEIVED_AT));
    t.settle();

    assertThat(wf.status().status()).isEqualTo(DeliveryStatus.AWAITING_RECEIPT);
  }

  // ------------------------------------------------------------------ helpers

  /** An EMAIL-only delivery whose 6 tries all failed: it waits in NEEDS_ATTENTION. */
  private DeliveryWorkflow exhaustedEmailDelivery(String key) {
    fake.sends(EMAIL, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
    DeliveryWorkflow wf = t.start(t.request(key, EMAIL));
    t.settle();
    assertThat(wf.status().status()).isEqualTo(DeliveryStatus.NEEDS_ATTENTION);
    assertThat(t.searchStatus(wf)).isEqualTo("NEEDS_ATTENTION");
    return wf;
  }

  private AuditEvent audit(String step, String outcome) {
    return fake.audits().stream()
        .filter(e -> step.equals(e.step()) && outcome.equals(e.outcome()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no audit " + step + "/" + outcome + " in " + fake.auditSteps()));
  }

  private static Duration elapsed(DeliveryView view) {
    List<TimelineEntry> timeline = view.timeline();
    return Duration.between(timeline.get(0).at(), timeline.get(timeline.size() - 1).at());
  }

  /** History without workflow-task bookkeeping, which a rejected update may leave behind. */
  private List<HistoryEvent> nonTaskEvents(String workflowId) {
    Set<EventType> taskEvents = Set.of(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    return t.client.fetchHistory(workflowId).getEvents().stream()
        .filter(e -> !taskEvents.contains(e.getEventType()))
        .toList();
  }
}
