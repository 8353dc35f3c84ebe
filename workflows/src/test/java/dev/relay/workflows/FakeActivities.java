package dev.relay.workflows;

import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.activities.AuditActivities;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.ChannelActivities;
import dev.relay.contracts.activities.ConsentActivities;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.ConsentQuery;
import dev.relay.contracts.activities.IdentityActivities;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.IdentityQuery;
import dev.relay.contracts.activities.NotificationActivities;
import dev.relay.contracts.activities.PayloadActivities;
import dev.relay.contracts.activities.PayloadRequest;
import dev.relay.contracts.activities.PreparedPayload;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.contracts.activities.StatusNotification;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.time.Instant;
import io.temporal.failure.ApplicationFailure;
import dev.relay.contracts.activities.AcceptRecord;
import dev.relay.contracts.activities.AuditBatch;
import dev.relay.contracts.activities.PrepareRequest;
import dev.relay.contracts.activities.Preparation;
import dev.relay.contracts.activities.PreparationActivities;

/**
 * In-memory stand-ins for every activity of a delivery, configurable per test and recording what
 * the workflow asked of them. Activities run on worker threads, hence the synchronization.
 */
final class FakeActivities
    implements IdentityActivities, ConsentActivities, PayloadActivities, ChannelActivities,
        AuditActivities, NotificationActivities, PreparationActivities {

  /** One scripted answer of a send try. */
  enum SendOutcome {
    ACCEPT,
    UNAVAILABLE,
    /** Every provider's breaker is open: unavailable, with a hint when to try again. */
    BREAKER_OPEN,
    /** Relay's own send ledger is unreachable: no provider was called. */
    STORE_DOWN,
    REJECT,
    /** The provider took it but the answer was lost (crash, timeout): the ledger has it. */
    LOST_RESPONSE
  }

  static final java.time.Duration BREAKER_WAIT = java.time.Duration.ofSeconds(20);

  private final Map<Channel, IdentityCheck> identity = new EnumMap<>(Channel.class);
  private final Map<Channel, ConsentDecision> consent = new EnumMap<>(Channel.class);
  private final Map<Channel, DeliveryErrorType> payloadErrors = new EnumMap<>(Channel.class);
  private final Map<Channel, Deque<SendOutcome>> sendScript = new EnumMap<>(Channel.class);
  // The send ledger: an accepted send key is answered from here, without a provider call.
  private final Map<String, SendResult> ledger = new HashMap<>();

  private final List<IdentityQuery> identityCalls = new ArrayList<>();
  private final List<ConsentQuery> consentCalls = new ArrayList<>();
  private final List<SendRequest> sendCalls = new ArrayList<>();
  private final List<String> providerAccepts = new ArrayList<>();
  private final List<AuditEvent> audits = new ArrayList<>();
  private final List<StatusNotification> notifications = new ArrayList<>();

  private volatile Consumer<SendRequest> beforeSmsReturns = request -> {};
  // Test time, for the events a lean send writes itself.
  private volatile Supplier<Instant> clock = Instant::now;
  private int batches;
  // Preparations still to fail with STORE_UNAVAILABLE (the database is down), and all calls.
  private int preparationOutages;
  private int preparationCalls;
  // The try just scripted was LOST_RESPONSE: thrown, not returned, by the lean send.
  private boolean lostResponse;

  // ------------------------------------------------------------ configuration

  synchronized FakeActivities identity(Channel channel, IdentityCheck check) {
    identity.put(channel, check);
    return this;
  }

  synchronized FakeActivities consent(Channel channel, ConsentDecision decision) {
    consent.put(channel, decision);
    return this;
  }

  synchronized FakeActivities payloadError(Channel channel, DeliveryErrorType error) {
    payloadErrors.put(channel, error);
    return this;
  }

  /** The next send tries of a channel, in order; once the script is used up, sends are accepted. */
  synchronized FakeActivities sends(Channel channel, SendOutcome... outcomes) {
    sendScript.computeIfAbsent(channel, c -> new ArrayDeque<>()).addAll(List.of(outcomes));
    return this;
  }

  /** The next {@code calls} preparations find the database down (STORE_UNAVAILABLE). */
  synchronized FakeActivities preparationOutage(int calls) {
    preparationOutages = calls;
    return this;
  }

  /** Calls of prepareChannel, local or not, failed or not. */
  synchronized int preparationCalls() {
    return preparationCalls;
  }

  /** Runs inside sendSms just before it returns: e.g. to signal a receipt that beats the result. */
  FakeActivities beforeSmsReturns(Consumer<SendRequest> hook) {
    this.beforeSmsReturns = hook;
    return this;
  }

  FakeActivities clock(Supplier<Instant> clock) {
    this.clock = clock;
    return this;
  }

  // ------------------------------------------------------------ what happened

  /** Calls of recordBatch: what bookkeeping cost activities of its own. */
  synchronized int batches() {
    return batches;
  }

  synchronized List<IdentityQuery> identityCalls() {
    return List.copyOf(identityCalls);
  }

  synchronized List<ConsentQuery> consentCalls() {
    return List.copyOf(consentCalls);
  }

  synchronized List<SendRequest> sendCalls() {
    return List.copyOf(sendCalls);
  }

  /** Send keys the provider actually took (ledger hits excluded). */
  synchronized List<String> providerAccepts() {
    return List.copyOf(providerAccepts);
  }

  synchronized List<AuditEvent> audits() {
    return List.copyOf(audits);
  }

  synchronized List<String> auditSteps() {
    return audits.stream().map(e -> e.step() + "/" + e.outcome()).toList();
  }

  /** Status notifications queued, once per event ID (like the outbox). */
  synchronized List<StatusNotification> notifications() {
    return List.copyOf(notifications);
  }

  synchronized AuditEvent lastAudit() {
    return audits.get(audits.size() - 1);
  }

  static String messageId(Channel channel, String sendKey) {
    return channel == Channel.EMAIL ? "<" + sendKey + "@relay.test>" : "SM-" + sendKey;
  }

  // ------------------------------------------------------------ activities

  @Override
  public synchronized IdentityCheck verifyRecipient(IdentityQuery query) {
    identityCalls.add(query);
    return identity.getOrDefault(query.channel(), IdentityCheck.ok(address(query.channel())));
  }

  @Override
  public synchronized ConsentDecision resolveConsent(ConsentQuery query) {
    consentCalls.add(query);
    return consent.getOrDefault(query.channel(), ConsentDecision.granted(1));
  }

  @Override
  public synchronized PreparedPayload preparePayload(PayloadRequest request) {
    DeliveryErrorType error = payloadErrors.get(request.channel());
    if (error != null) {
      throw error.failure("template " + request.templateId() + " cannot be rendered");
    }
    return new PreparedPayload(
        request.deliveryId() + ":" + request.channel().name().toLowerCase(java.util.Locale.ROOT),
        request.channel(), "sha-" + request.templateId(), List.of());
  }

  @Override
  public synchronized Preparation prepareChannel(PrepareRequest request) {
    preparationCalls++;
    if (preparationOutages > 0) {
      preparationOutages--;
      throw DeliveryErrorType.STORE_UNAVAILABLE.failure("preparation: database unreachable");
    }
    write(request.pending());
    IdentityCheck check = verifyRecipient(
        new IdentityQuery(request.tenantId(), request.recipientId(), request.channel()));
    if (!check.verified()) {
      return Preparation.unverified(check);
    }
    ConsentDecision decision = resolveConsent(new ConsentQuery(request.tenantId(),
        request.recipientId(), request.purpose(), request.channel(), request.asOf()));
    if (!decision.granted()) {
      return Preparation.refused(check, decision);
    }
    DeliveryErrorType error = payloadErrors.get(request.channel());
    if (error != null) {
      return Preparation.unrenderable(check, decision, error,
          "template " + request.templateId() + " cannot be rendered");
    }
    return Preparation.ready(check, decision, preparePayload(new PayloadRequest(request.tenantId(),
        request.deliveryId(), request.templateId(), request.variables(), request.documentIds(),
        request.channel())));
  }

  @Override
  public SendResult sendEmail(SendRequest request) {
    return trySend(request);
  }

  @Override
  public SendResult sendSms(SendRequest request) {
    SendResult result = trySend(request);
    beforeSmsReturns.accept(request);
    return result;
  }

  /** The lean send: refusals returned, the acceptance's audit event written with it. */
  @Override
  public dev.relay.contracts.activities.SendOutcome send(SendRequest request) {
    dev.relay.contracts.activities.SendOutcome outcome;
    synchronized (this) {
      write(request.pending());
      SendResult result;
      try {
        result = trySend(request);
      } catch (ApplicationFailure f) {
        DeliveryErrorType type = DeliveryErrorType.fromType(f.getType());
        if (type == DeliveryErrorType.STORE_UNAVAILABLE || lostResponse) {
          lostResponse = false;
          throw f; // Temporal retries: no history, the ledger answers the retry
        }
        return dev.relay.contracts.activities.SendOutcome.failed(type, f.getOriginalMessage(),
            f.getNextRetryDelay());
      }
      AcceptRecord onAccept = request.onAccept();
      AuditEvent written = null;
      if (onAccept != null) {
        written = audits.stream().filter(e -> e.sequence() == onAccept.sequence()
            && e.deliveryId().equals(request.deliveryId())).findFirst().orElse(null);
        if (written == null) {
          written = new AuditEvent(request.tenantId(), request.deliveryId(), onAccept.sequence(),
              clock.get(), "relay", "send", "accepted", result.acceptedDetail(request.tryNumber()),
              onAccept.status(), request.channel(), request.round(), null, result.provider(),
              result.providerMessageId());
          audits.add(written);
          if (onAccept.notification() != null) {
            notifyStatus(new StatusNotification(request.tenantId(), request.deliveryId(),
                onAccept.sequence(), onAccept.notification(), onAccept.status(), request.channel(),
                request.round(), null, written.occurredAt()));
          }
        }
      }
      outcome = dev.relay.contracts.activities.SendOutcome.accepted(result, written);
    }
    if (request.channel() == Channel.SMS) {
      beforeSmsReturns.accept(request); // outside the lock: it signals the workflow
    }
    return outcome;
  }

  @Override
  public synchronized void recordBatch(AuditBatch batch) {
    batches++;
    write(batch);
  }

  private void write(AuditBatch batch) {
    batch.events().forEach(this::recordAudit);
    batch.notifications().forEach(this::notifyStatus);
  }

  private synchronized SendResult trySend(SendRequest request) {
    sendCalls.add(request);
    SendResult recorded = ledger.get(request.sendKey());
    if (recorded != null) {
      return new SendResult(recorded.provider(), recorded.providerMessageId(), true);
    }
    Deque<SendOutcome> script = sendScript.get(request.channel());
    SendOutcome outcome = script == null || script.isEmpty() ? SendOutcome.ACCEPT : script.poll();
    switch (outcome) {
      case UNAVAILABLE -> throw DeliveryErrorType.PROVIDER_UNAVAILABLE.failure("provider busy, try later");
      case STORE_DOWN -> throw DeliveryErrorType.STORE_UNAVAILABLE.failure("send ledger unreachable");
      case BREAKER_OPEN -> throw io.temporal.failure.ApplicationFailure.newFailureWithCauseAndDelay(
          "no provider took the message: circuit breaker OPEN",
          DeliveryErrorType.PROVIDER_UNAVAILABLE.name(), null, BREAKER_WAIT);
      case REJECT -> throw DeliveryErrorType.PROVIDER_REJECTED.failure("550 mailbox does not exist");
      case LOST_RESPONSE -> {
        accept(request);
        lostResponse = true; // the lean send rethrows it, as a crash after the provider took it
        throw DeliveryErrorType.PROVIDER_UNAVAILABLE.failure("connection reset after DATA");
      }
      default -> {
        return accept(request);
      }
    }
  }

  private SendResult accept(SendRequest request) {
    SendResult result = new SendResult(
        request.channel() == Channel.EMAIL ? "smtp" : "twilio",
        messageId(request.channel(), request.sendKey()), false);
    ledger.put(request.sendKey(), result);
    providerAccepts.add(request.sendKey());
    return result;
  }

  @Override
  public synchronized void recordAudit(AuditEvent event) {
    // Idempotent on (delivery, sequence), like the real audit trail.
    boolean seen = audits.stream().anyMatch(e -> e.sequence() == event.sequence()
        && e.deliveryId().equals(event.deliveryId()));
    if (!seen) {
      audits.add(event);
    }
  }

  @Override
  public synchronized void notifyStatus(StatusNotification notification) {
    // Idempotent on the event ID, like the webhook outbox.
    if (notifications.stream().noneMatch(n -> n.eventId().equals(notification.eventId()))) {
      notifications.add(notification);
    }
  }

  synchronized List<DeliveryStatus> auditStatuses() {
    return audits.stream().map(AuditEvent::status).toList();
  }

  private static String address(Channel channel) {
    return channel == Channel.EMAIL ? "ada@example.org" : "+15555550100";
  }
}
