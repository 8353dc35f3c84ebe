package dev.relay.workflows;

import static dev.relay.contracts.DeliveryStatus.AWAITING_RECEIPT;
import static dev.relay.contracts.DeliveryStatus.CANCELLED;
import static dev.relay.contracts.DeliveryStatus.CHECKING_CONSENT;
import static dev.relay.contracts.DeliveryStatus.DELIVERED;
import static dev.relay.contracts.DeliveryStatus.EXPIRED;
import static dev.relay.contracts.DeliveryStatus.NEEDS_ATTENTION;
import static dev.relay.contracts.DeliveryStatus.PREPARING;
import static dev.relay.contracts.DeliveryStatus.REJECTED;
import static dev.relay.contracts.DeliveryStatus.SENDING;
import static dev.relay.contracts.DeliveryStatus.VERIFYING;

import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.SearchAttributes;
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
import dev.relay.contracts.activities.StatusEventType;
import dev.relay.contracts.activities.StatusNotification;
import dev.relay.contracts.workflow.DeliveryPolicy;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryView;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import dev.relay.contracts.workflow.ProviderReceipt;
import dev.relay.contracts.workflow.SupportAction;
import dev.relay.contracts.workflow.TimelineEntry;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;

/**
 * One delivery, as an explicit state machine over {@link DeliveryStatus} (legal moves in {@link
 * DeliveryTransitions}). Every move is kept in the timeline, the search attributes and the audit
 * trail. Deterministic code only: workflow time, workflow random, no I/O.
 */
public class DeliveryWorkflowImpl implements DeliveryWorkflow {

  private static final String RELAY = "relay";
  private static final Logger logger = Workflow.getLogger(DeliveryWorkflowImpl.class);
  /**
   * The change that added status notifications and the delay notice. Workflows that started
   * before it (no marker in their history) run without them, so their histories still replay.
   */
  static final String STATUS_NOTIFICATIONS = "status-notifications";
  /** Counter of automatic fallbacks to the next channel, tagged from and to. */
  public static final String CHANNEL_SUBSTITUTIONS = "relay_channel_substitutions";

  private final IdentityActivities identity =
      Workflow.newActivityStub(IdentityActivities.class, DeliveryActivityOptions.standard());
  private final ConsentActivities consents =
      Workflow.newActivityStub(ConsentActivities.class, DeliveryActivityOptions.standard());
  private final PayloadActivities payloads =
      Workflow.newActivityStub(PayloadActivities.class, DeliveryActivityOptions.standard());
  private final AuditActivities audit =
      Workflow.newActivityStub(AuditActivities.class, DeliveryActivityOptions.standard());
  private final NotificationActivities notifier = Workflow.newActivityStub(
      NotificationActivities.class, DeliveryActivityOptions.notification());
  // Built in deliver(): its timeout comes from the request's policy.
  private ChannelActivities channels;

  private DeliveryRequest request;
  private String deliveryId;
  private Random random;

  // What status() shows.
  private DeliveryStatus status = DeliveryStatus.ACCEPTED;
  private Channel channel;
  private int attempts;
  private String reason;
  private String providerMessageId;
  private boolean delayed;
  private final List<TimelineEntry> timeline = new ArrayList<>();

  // Decided once, at the start: the version a workflow began with holds for its whole life.
  private boolean notifications;
  // True while the delay notice is being recorded: the workflow does not complete under it.
  private boolean markingDelayed;

  private long auditSequence;
  private String publishedStatus;
  private Channel publishedChannel;
  private Channel lastSentChannel;
  private SendResult lastSend;

  // Final receipts by provider message ID: a receipt may arrive before its send has returned.
  private final Map<String, ProviderReceipt> finalReceipts = new HashMap<>();
  // The message whose receipt timed out: a late "delivered" still settles the delivery.
  private String overdueReceipt;

  // A support action handed from its update handler to the main loop.
  private SupportCommand pending;
  // Why the processing scope was cancelled (support cancel or deadline); null for a client cancel.
  private Stop stop;
  private CancellationScope processing;

  @Override
  public DeliveryView deliver(DeliveryRequest request) {
    this.request = request;
    this.deliveryId =
        request.deliveryId() != null ? request.deliveryId() : Workflow.getInfo().getWorkflowId();
    this.random = Workflow.newRandom();
    this.notifications =
        Workflow.getVersion(STATUS_NOTIFICATIONS, Workflow.DEFAULT_VERSION, 1) >= 1;
    this.channels =
        Workflow.newActivityStub(
            ChannelActivities.class, DeliveryActivityOptions.send(request.policy().sendTimeout()));

    publishRequestAttributes();
    note("accept", "ok", "channels " + request.channels() + ", purpose " + request.purpose());

    // All processing runs in one scope, so a cancel or the deadline can interrupt it anywhere.
    processing = Workflow.newCancellationScope(this::process);
    watchDeadline();
    if (notifications) {
      watchDelay();
    }
    if (stop != null) {
      processing.cancel("stopped before processing started");
    }
    try {
      processing.run();
    } catch (TemporalFailure e) {
      if (!processing.isCancelRequested()) {
        throw e;
      }
      // Interrupted by a cancel, the deadline or a client cancellation: recorded below.
    }

    // Detached: even when the client cancelled the whole workflow, the end is audited and every
    // update still in flight gets its answer before the workflow completes.
    Workflow.newDetachedCancellationScope(
            () -> {
              if (!status.isFinal()) {
                recordStop();
              }
              Workflow.await(() -> Workflow.isEveryHandlerFinished() && !markingDelayed);
            })
        .run();
    return view();
  }

  // ---------------------------------------------------------------- main loop

  private void process() {
    runRound(request.channels(), null);
    // NEEDS_ATTENTION is never dropped: wait for a support action (or a late receipt).
    while (status == NEEDS_ATTENTION) {
      Workflow.await(() -> pending != null || overdueReceipt() != null);
      if (pending == null) {
        settleLateReceipt();
        continue;
      }
      SupportCommand command = take();
      switch (command.kind) {
        case RETRY -> runRound(List.of(lastSentChannel != null ? lastSentChannel : channel), command);
        case REROUTE -> runRound(List.of(command.action.channel()), command);
        case MARK_DELIVERED -> markDelivered(command);
        default -> throw new IllegalStateException("not a main-loop action: " + command.kind);
      }
    }
  }

  /**
   * One round over the candidate channels, in order of preference. Ends DELIVERED, REJECTED (first
   * round only, when nothing was sent) or NEEDS_ATTENTION.
   */
  private void runRound(List<Channel> candidates, SupportCommand command) {
    overdueReceipt = null;
    List<String> problems = new ArrayList<>();
    boolean sent = false;
    for (Channel candidate : candidates) {
      Channel previous = channel;
      channel = candidate;
      if (problems.isEmpty()) {
        enterRound(candidates, command);
      } else {
        countSubstitution(previous, candidate);
        move(VERIFYING, "fallback", "next-channel",
            "fallback to " + candidate + ": " + problems.get(problems.size() - 1));
      }
      ChannelOutcome outcome = tryChannel(candidate);
      if (outcome.settled()) {
        return;
      }
      problems.add(outcome.problem());
      sent |= outcome.sent();
    }
    reason = String.join("; ", problems);
    if (command == null && !sent) {
      move(REJECTED, "round", "rejected", reason);
    } else {
      // A support round that was refused by identity or consent goes back to support too.
      move(NEEDS_ATTENTION, "round", "failed", reason);
    }
  }

  /**
   * Channel substitution rate ({@code relay_channel_substitutions_total{from,to}} in Prometheus).
   * The workflow's metrics scope drops what a replay re-executes, so each substitution counts
   * once. The substitute channel still goes through identity and consent like any other.
   */
  private static void countSubstitution(Channel from, Channel to) {
    Workflow.getMetricsScope()
        .tagged(Map.of("from", from.name(), "to", to.name()))
        .counter(CHANNEL_SUBSTITUTIONS)
        .inc(1);
  }

  private void enterRound(List<Channel> candidates, SupportCommand command) {
    if (command == null) {
      move(VERIFYING, "verify", "started", "channels " + candidates);
      return;
    }
    reason = command.action.reason();
    log(VERIFYING, command.action.actor(), command.kind.step, "accepted",
        command.action.reason() + " (channel " + channel + ")", null, null);
  }

  /** Verify, check consent, prepare and send on one channel. */
  private ChannelOutcome tryChannel(Channel ch) {
    IdentityCheck check;
    try {
      check = identity.verifyRecipient(new IdentityQuery(request.tenantId(), request.recipientId(), ch));
    } catch (ActivityFailure e) {
      rethrowIfStopping(e);
      return rejected("verify", lower(ch) + " identity check failed: " + describe(e));
    }
    if (!check.verified()) {
      return rejected("verify", lower(ch) + " identity " + check.failure()
          + (check.reason() != null ? " (" + check.reason() + ")" : ""));
    }
    move(CHECKING_CONSENT, "verify", "ok", "contact point verified");

    ConsentDecision consent;
    try {
      consent = consents.resolveConsent(new ConsentQuery(
          request.tenantId(), request.recipientId(), request.purpose(), ch, now()));
    } catch (ActivityFailure e) {
      rethrowIfStopping(e);
      return rejected("consent", lower(ch) + " consent check failed: " + describe(e));
    }
    if (!consent.granted()) {
      String word = consent.failure() == DeliveryErrorType.CONSENT_WITHDRAWN ? "withdrawn" : "missing";
      String problem = lower(ch) + " consent " + word + " (version " + consent.version() + ")"
          + degradedNote(consent);
      log(status, RELAY, "consent", consent.degraded() ? "rejected-degraded" : "rejected", problem,
          consent.version(), null);
      return ChannelOutcome.rejected(problem);
    }
    // A decision served from the worker's cache while the consent store was down is marked, so
    // an audit can find every delivery decided that way.
    log(PREPARING, RELAY, "consent", consent.degraded() ? "granted-degraded" : "granted",
        "version " + consent.version() + degradedNote(consent), consent.version(), null);

    PreparedPayload payload;
    try {
      payload = payloads.preparePayload(new PayloadRequest(request.tenantId(), deliveryId,
          request.templateId(), request.variables(), request.documentIds(), ch));
    } catch (ActivityFailure e) {
      rethrowIfStopping(e);
      // Only permanent errors (template, variable, document) get here: the rest is retried.
      return rejected("prepare", lower(ch) + " payload " + describe(e));
    }

    attempts++;
    lastSentChannel = ch;
    move(SENDING, "prepare", "ok", "payload " + payload.payloadRef());
    return send(ch, check.address(), payload);
  }

  /**
   * One send round: up to maxSendTries tries with jittered exponential backoff, all with the same
   * send key so the activity's ledger catches a send that happened but was not recorded.
   */
  private ChannelOutcome send(Channel ch, String address, PreparedPayload payload) {
    DeliveryPolicy policy = request.policy();
    String sendKey = DeliveryIds.sendKey(deliveryId, ch, attempts);
    String lastError = "";
    Duration retryHint = Duration.ZERO;
    for (int tryNumber = 1; tryNumber <= policy.maxSendTries(); tryNumber++) {
      if (tryNumber > 1) {
        // The activity may know when trying again can help (a provider's breaker half-opens,
        // Retry-After): never retry sooner than that, never later than maxBackoff.
        Duration wait = backoff(policy, tryNumber - 1);
        Duration hinted = retryHint.compareTo(policy.maxBackoff()) > 0 ? policy.maxBackoff() : retryHint;
        Workflow.sleep(hinted.compareTo(wait) > 0 ? hinted : wait);
      }
      SendRequest sendRequest = new SendRequest(request.tenantId(), deliveryId, ch, sendKey,
          attempts, tryNumber, address, payload);
      SendResult result;
      try {
        result = ch == Channel.EMAIL ? channels.sendEmail(sendRequest) : channels.sendSms(sendRequest);
      } catch (ActivityFailure e) {
        rethrowIfStopping(e);
        if (isStoreUnavailable(e)) {
          // Relay's own database is down: no provider was called, so the try is not spent;
          // wait and ask again, as every other activity does during a database outage.
          Workflow.sleep(backoff(policy, policy.maxSendTries()));
          tryNumber--;
          continue;
        }
        lastError = describe(e);
        retryHint = retryHint(e);
        note("send", "failed", "try " + tryNumber + " of " + policy.maxSendTries() + ": " + lastError);
        if (isPermanent(e)) {
          return ChannelOutcome.failed(lower(ch) + " send rejected: " + lastError);
        }
        continue;
      }
      lastSend = result;
      providerMessageId = result.providerMessageId();
      String detail = "try " + tryNumber + " accepted by " + result.provider()
          + (result.fromLedger() ? " (from send ledger)" : "");
      if (ch == Channel.EMAIL) {
        // Email counts as delivered once the relay took it: there is no receipt to wait for.
        log(DELIVERED, RELAY, "send", "accepted", detail, null, result);
        return ChannelOutcome.SETTLED;
      }
      log(AWAITING_RECEIPT, RELAY, "send", "accepted", detail, null, result);
      return awaitReceipt(result.providerMessageId());
    }
    return ChannelOutcome.failed(
        lower(ch) + " send failed after " + policy.maxSendTries() + " tries: " + lastError);
  }

  private static boolean isStoreUnavailable(ActivityFailure e) {
    return e.getCause() instanceof ApplicationFailure af
        && DeliveryErrorType.STORE_UNAVAILABLE.name().equals(af.getType());
  }

  private static Duration retryHint(ActivityFailure e) {
    if (e.getCause() instanceof ApplicationFailure af && af.getNextRetryDelay() != null) {
      return af.getNextRetryDelay();
    }
    return Duration.ZERO;
  }

  /** min(maxBackoff, initial * coefficient^(failedTry-1)), scaled by a jitter in [0.5, 1). */
  private Duration backoff(DeliveryPolicy policy, int failedTry) {
    double base = policy.initialBackoff().toMillis()
        * Math.pow(policy.backoffCoefficient(), failedTry - 1);
    double capped = Math.min(policy.maxBackoff().toMillis(), base);
    return Duration.ofMillis(Math.round(capped * (0.5 + 0.5 * random.nextDouble())));
  }

  private ChannelOutcome awaitReceipt(String messageId) {
    Duration timeout = request.policy().receiptTimeout();
    Workflow.await(timeout, () -> pending != null || finalReceipts.containsKey(messageId));
    if (pending != null) {
      // Only markDelivered is valid while awaiting a receipt.
      markDelivered(take());
      return ChannelOutcome.SETTLED;
    }
    ProviderReceipt receipt = finalReceipts.get(messageId);
    if (receipt == null) {
      // No fallback to another channel: the SMS may well have arrived, only its receipt did not.
      overdueReceipt = messageId;
      reason = "no delivery receipt within " + timeout;
      move(NEEDS_ATTENTION, "receipt", "timeout", reason);
      return ChannelOutcome.SETTLED;
    }
    if (receipt.delivered()) {
      log(DELIVERED, RELAY, "receipt", "delivered", "provider status " + receipt.status(), null, lastSend);
      return ChannelOutcome.SETTLED;
    }
    String problem = receiptProblem(receipt);
    log(status, RELAY, "receipt", "failed", problem, null, lastSend);
    return ChannelOutcome.failed(problem);
  }

  private void settleLateReceipt() {
    ProviderReceipt receipt = overdueReceipt();
    overdueReceipt = null;
    if (receipt.delivered()) {
      log(DELIVERED, RELAY, "receipt", "delivered", "late receipt: provider status " + receipt.status(),
          null, lastSend);
    } else {
      reason = receiptProblem(receipt);
      log(status, RELAY, "receipt", "failed", "late receipt: " + reason, null, lastSend);
    }
  }

  private ProviderReceipt overdueReceipt() {
    return overdueReceipt == null ? null : finalReceipts.get(overdueReceipt);
  }

  private String receiptProblem(ProviderReceipt receipt) {
    return lower(channel) + " receipt " + receipt.status()
        + (receipt.errorCode() != null ? " (error " + receipt.errorCode() + ")" : "");
  }

  private void markDelivered(SupportCommand command) {
    reason = command.action.reason();
    log(DELIVERED, command.action.actor(), command.kind.step, "accepted",
        command.action.reason() + "; evidence: " + command.action.evidence(), null, null);
  }

  /** Records CANCELLED or EXPIRED after the processing scope was interrupted. */
  private void recordStop() {
    if (stop != null && stop.expired()) {
      reason = "deadline " + request.deadline() + " passed";
      move(EXPIRED, "deadline", "expired", reason);
    } else if (stop != null) {
      reason = stop.action().reason();
      log(CANCELLED, stop.action().actor(), SupportKind.CANCEL.step, "accepted", reason, null, null);
    } else {
      reason = "workflow cancellation requested";
      log(CANCELLED, "client", "cancel", "accepted", reason, null, null);
    }
  }

  /** A durable timer: past the deadline an unfinished delivery ends EXPIRED, whatever it was doing. */
  private void watchDeadline() {
    Instant deadline = request.deadline();
    if (deadline == null) {
      return;
    }
    Duration left = Duration.between(now(), deadline);
    Async.procedure(() -> {
      boolean finished = left.compareTo(Duration.ZERO) > 0 && Workflow.await(left, () -> status.isFinal());
      if (!finished && !status.isFinal() && stop == null) {
        stop = new Stop(true, null);
        processing.cancel("deadline passed");
      }
    });
  }

  /**
   * A durable timer for the delay notice: a delivery still not final {@code delayNotice} before its
   * deadline is marked delayed and the client told. A deadline closer than twice the notice gets
   * it at the midpoint instead, so a delivery is never called delayed before it had half its time
   * (and a short deadline does not turn every delivery into a delayed one at once).
   */
  private void watchDelay() {
    Instant deadline = request.deadline();
    Duration notice = request.policy().delayNotice();
    if (deadline == null || notice.isZero()) {
      return;
    }
    Duration total = Duration.between(now(), deadline);
    if (total.compareTo(Duration.ZERO) <= 0) {
      return; // already past: the deadline watcher expires it
    }
    Duration beforeNotice = total.minus(notice);
    Duration half = total.dividedBy(2);
    Duration wait = beforeNotice.compareTo(half) > 0 ? beforeNotice : half;
    Async.procedure(() -> {
      boolean finished = Workflow.await(wait, () -> status.isFinal());
      if (!finished && !status.isFinal() && stop == null) {
        markDelayed(deadline);
      }
    });
  }

  private void markDelayed(Instant deadline) {
    delayed = true;
    markingDelayed = true;
    try {
      Duration left = Duration.between(now(), deadline);
      // No status in the audit event: being late changes neither the status nor its reason.
      AuditEvent event = record(RELAY, "delayed", "late",
          "still " + status + " " + left + " before the deadline " + deadline, null, null, null);
      notifyStatus(StatusEventType.DELAYED, event);
    } finally {
      markingDelayed = false;
    }
  }

  // ---------------------------------------------------------------- signal, query, updates

  @Override
  public void receipt(ProviderReceipt receipt) {
    if (receipt == null || receipt.providerMessageId() == null) {
      return;
    }
    if (receipt.delivered() || receipt.failed()) {
      finalReceipts.putIfAbsent(receipt.providerMessageId(), receipt);
    } else {
      // Intermediate statuses (queued, sent) change nothing; they are only worth a timeline line.
      timeline.add(new TimelineEntry(now(), status, "receipt",
          receipt.status() + ": " + receipt.providerMessageId()));
    }
  }

  @Override
  public DeliveryView status() {
    return view();
  }

  @Override
  public void validateRetry(SupportAction action) {
    requireActorAndReason(action);
    requireState(SupportKind.RETRY);
  }

  @Override
  public DeliveryView retry(SupportAction action) {
    return submit(SupportKind.RETRY, action);
  }

  @Override
  public void validateReroute(SupportAction action) {
    requireActorAndReason(action);
    if (action.channel() == null) {
      throw new IllegalArgumentException("channel must be given to reroute");
    }
    requireState(SupportKind.REROUTE);
  }

  @Override
  public DeliveryView reroute(SupportAction action) {
    return submit(SupportKind.REROUTE, action);
  }

  @Override
  public void validateMarkDelivered(SupportAction action) {
    requireActorAndReason(action);
    if (isBlank(action.evidence())) {
      throw new IllegalArgumentException("evidence must not be blank");
    }
    requireState(SupportKind.MARK_DELIVERED);
  }

  @Override
  public DeliveryView markDelivered(SupportAction action) {
    return submit(SupportKind.MARK_DELIVERED, action);
  }

  @Override
  public void validateCancel(SupportAction action) {
    requireActorAndReason(action);
    if (status.isFinal()) {
      throw new IllegalStateException(cannot(SupportKind.CANCEL, "it is final"));
    }
  }

  @Override
  public DeliveryView cancel(SupportAction action) {
    if (status.isFinal()) {
      throw ApplicationFailure.newNonRetryableFailure(
          cannot(SupportKind.CANCEL, "it is final"), IllegalStateException.class.getName());
    }
    if (stop == null) {
      stop = new Stop(false, action);
    }
    if (processing != null) {
      processing.cancel("cancelled by " + action.actor());
    }
    Workflow.await(() -> status.isFinal());
    return view();
  }

  /** Hands the action to the main loop and returns once the loop has acted on it. */
  private DeliveryView submit(SupportKind kind, SupportAction action) {
    // The validator saw the state at admission; another update may have got in since.
    String conflict = conflict(kind);
    if (conflict != null) {
      throw ApplicationFailure.newNonRetryableFailure(conflict, IllegalStateException.class.getName());
    }
    SupportCommand command = new SupportCommand(kind, action);
    pending = command;
    Workflow.await(() -> command.taken || status.isFinal());
    return view();
  }

  private SupportCommand take() {
    SupportCommand command = pending;
    pending = null;
    command.taken = true;
    return command;
  }

  private void requireState(SupportKind kind) {
    String conflict = conflict(kind);
    if (conflict != null) {
      throw new IllegalStateException(conflict);
    }
  }

  private String conflict(SupportKind kind) {
    if (!kind.allowedIn.contains(status)) {
      return cannot(kind, "allowed only in " + kind.allowedIn);
    }
    if (pending != null) {
      return cannot(kind, "support action " + pending.kind.verb + " is in progress");
    }
    return null;
  }

  private String cannot(SupportKind kind, String why) {
    return "cannot " + kind.verb + " a delivery in state " + status + ": " + why;
  }

  private static void requireActorAndReason(SupportAction action) {
    if (action == null) {
      throw new IllegalArgumentException("action must be given");
    }
    if (isBlank(action.actor())) {
      throw new IllegalArgumentException("actor must not be blank");
    }
    if (isBlank(action.reason())) {
      throw new IllegalArgumentException("reason must not be blank");
    }
  }

  // ---------------------------------------------------------------- recording

  private void move(DeliveryStatus next, String step, String outcome, String detail) {
    log(next, RELAY, step, outcome, detail, null, null);
  }

  private void note(String step, String outcome, String detail) {
    log(status, RELAY, step, outcome, detail, null, null);
  }

  private ChannelOutcome rejected(String step, String problem) {
    note(step, "rejected", problem);
    return ChannelOutcome.rejected(problem);
  }

  /**
   * Moves to {@code next} (may equal the current status) and records the event everywhere; reaching
   * NEEDS_ATTENTION or a final status also notifies the client.
   */
  private AuditEvent log(DeliveryStatus next, String actor, String step, String outcome,
      String detail, Integer consentVersion, SendResult send) {
    boolean moved = next != status;
    if (moved) {
      if (!DeliveryTransitions.allowed(status, next)) {
        // A bug, not a business outcome: fail the workflow task so the delivery waits for a fix.
        throw new IllegalStateException("illegal move " + status + " -> " + next + " at " + step);
      }
      status = next;
    }
    publishStateAttributes();
    AuditEvent event = record(actor, step, outcome, detail, status, consentVersion, send);
    StatusEventType reached = moved ? StatusEventType.reaching(status) : null;
    if (reached != null) {
      notifyStatus(reached, event);
    }
    return event;
  }

  /**
   * Adds one event to the timeline and the audit trail. {@code auditStatus} null records an event
   * that leaves the status projection (status, reason) as it is.
   */
  private AuditEvent record(String actor, String step, String outcome, String detail,
      DeliveryStatus auditStatus, Integer consentVersion, SendResult send) {
    Instant at = now();
    timeline.add(new TimelineEntry(at, status, step, detail == null ? outcome : outcome + ": " + detail));
    AuditEvent event = new AuditEvent(request.tenantId(), deliveryId, ++auditSequence, at, actor,
        step, outcome, detail, auditStatus, channel, attempts, consentVersion,
        send == null ? null : send.provider(), send == null ? null : send.providerMessageId());
    // Detached: an audit record is never skipped, not even when a cancel or the deadline
    // interrupts the delivery while it is being written.
    try {
      Workflow.newDetachedCancellationScope(() -> audit.recordAudit(event)).run();
    } catch (ActivityFailure e) {
      // Retried without limit, so only a permanent error gets here: keep the delivery open.
      throw new IllegalStateException("audit event " + event.sequence() + " was not recorded", e);
    }
    return event;
  }

  /**
   * Queues a status event for the tenant's webhook, under the event ID of the audit event it
   * reports. Only for workflows that started with notifications (see {@link #STATUS_NOTIFICATIONS}).
   */
  private void notifyStatus(StatusEventType type, AuditEvent event) {
    if (!notifications) {
      return;
    }
    StatusNotification notification = new StatusNotification(request.tenantId(), deliveryId,
        event.sequence(), type, status, channel, attempts, reason, event.occurredAt());
    // Detached like the audit: a cancel or the deadline must not swallow the event.
    try {
      Workflow.newDetachedCancellationScope(() -> notifier.notifyStatus(notification)).run();
    } catch (ActivityFailure e) {
      // Retried without limit, so only a permanent error gets here. A lost notification must not
      // hold up the delivery itself; the status stays readable through the API.
      logger.error("status event {} of delivery {} was not queued", notification.eventId(),
          deliveryId, e);
    }
  }

  private void publishRequestAttributes() {
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    if (request.tenantId() != null) {
      updates.add(SearchAttributes.TENANT.valueSet(request.tenantId()));
    }
    if (request.recipientId() != null) {
      updates.add(SearchAttributes.RECIPIENT_ID.valueSet(request.recipientId()));
    }
    if (request.purpose() != null) {
      updates.add(SearchAttributes.PURPOSE.valueSet(request.purpose()));
    }
    if (!updates.isEmpty()) {
      Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
    }
  }

  /** Keeps DeliveryStatus and Channel current, upserting only what changed. */
  private void publishStateAttributes() {
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    if (!status.name().equals(publishedStatus)) {
      publishedStatus = status.name();
      updates.add(SearchAttributes.DELIVERY_STATUS.valueSet(publishedStatus));
    }
    if (channel != null && channel != publishedChannel) {
      publishedChannel = channel;
      updates.add(SearchAttributes.CHANNEL.valueSet(channel.name()));
    }
    if (!updates.isEmpty()) {
      Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
    }
  }

  private DeliveryView view() {
    return new DeliveryView(deliveryId, status, channel, attempts, reason, providerMessageId,
        List.copyOf(timeline), delayed);
  }

  // ---------------------------------------------------------------- helpers

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  /** A cancel or the deadline shows up as a failed activity: let it end the processing. */
  private static void rethrowIfStopping(ActivityFailure e) {
    if (CancellationScope.current().isCancelRequested()) {
      throw e;
    }
  }

  /** PROVIDER_REJECTED, or any other non-retryable failure: more tries cannot help. */
  private static boolean isPermanent(ActivityFailure e) {
    if (!(e.getCause() instanceof ApplicationFailure failure)) {
      return false;
    }
    DeliveryErrorType type = DeliveryErrorType.fromType(failure.getType());
    return failure.isNonRetryable() || (type != null && !type.retryable());
  }

  private static String describe(ActivityFailure e) {
    Throwable cause = e.getCause();
    if (cause instanceof ApplicationFailure failure) {
      return failure.getType() + ": " + failure.getOriginalMessage();
    }
    if (cause instanceof TimeoutFailure timeout) {
      return "timeout (" + timeout.getTimeoutType() + ")";
    }
    return cause != null ? cause.getMessage() : e.getMessage();
  }

  private static String lower(Channel ch) {
    return ch == null ? "unknown" : ch.name().toLowerCase(Locale.ROOT);
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }

  // ---------------------------------------------------------------- small types

  /** The support actions, with the audit step and the states each is valid in. */
  private enum SupportKind {
    RETRY("retry", "support.retry", Set.of(NEEDS_ATTENTION)),
    REROUTE("reroute", "support.reroute", Set.of(NEEDS_ATTENTION)),
    MARK_DELIVERED("mark delivered", "support.markDelivered", Set.of(NEEDS_ATTENTION, AWAITING_RECEIPT)),
    CANCEL("cancel", "support.cancel", Set.of());

    private final String verb;
    private final String step;
    private final Set<DeliveryStatus> allowedIn;

    SupportKind(String verb, String step, Set<DeliveryStatus> allowedIn) {
      this.verb = verb;
      this.step = step;
      this.allowedIn = allowedIn;
    }
  }

  /** A support action waiting for the main loop; {@code taken} once the loop acted on it. */
  private static final class SupportCommand {
    private final SupportKind kind;
    private final SupportAction action;
    private boolean taken;

    private SupportCommand(SupportKind kind, SupportAction action) {
      this.kind = kind;
      this.action = action;
    }
  }

  private record Stop(boolean expired, SupportAction action) {}

  /**
   * How one channel ended: settled (DELIVERED or NEEDS_ATTENTION, the round is over), or a problem
   * that sends the round to the next channel; {@code sent} when it got as far as sending.
   */
  private record ChannelOutcome(boolean settled, boolean sent, String problem) {
    static final ChannelOutcome SETTLED = new ChannelOutcome(true, true, null);

    static ChannelOutcome rejected(String problem) {
      return new ChannelOutcome(false, false, problem);
    }

    static ChannelOutcome failed(String problem) {
      return new ChannelOutcome(false, true, problem);
    }
  }

  private static String degradedNote(ConsentDecision consent) {
    return consent.degraded() ? "; degraded: " + consent.reason() : "";
  }
}
