package dev.relay.workflows;

import static dev.relay.contracts.DeliveryStatus.AWAITING_RECEIPT;
import static dev.relay.contracts.DeliveryStatus.CHECKING_CONSENT;
import static dev.relay.contracts.DeliveryStatus.DELIVERED;
import static dev.relay.contracts.DeliveryStatus.NEEDS_ATTENTION;
import static dev.relay.contracts.DeliveryStatus.PREPARING;
import static dev.relay.contracts.DeliveryStatus.REJECTED;
import static dev.relay.contracts.DeliveryStatus.SENDING;
import static dev.relay.contracts.DeliveryStatus.VERIFYING;
import static dev.relay.workflows.DeliveryJournal.RELAY;

import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.activities.AcceptRecord;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.PreparedPayload;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.contracts.workflow.DeliveryPolicy;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.ProviderReceipt;
import dev.relay.workflows.ChannelSteps.PayloadStep;
import dev.relay.workflows.ChannelSteps.TryOutcome;
import dev.relay.workflows.SupportMailbox.SupportCommand;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * One send round over the candidate channels, in order of preference: for each channel identity,
 * consent, payload, then up to {@code maxSendTries} tries with jittered backoff under one send
 * key, then (SMS) the receipt. Also the receipts, which may arrive before their send returned.
 */
final class SendRound {

  /** Counter of automatic fallbacks to the next channel, tagged from and to. */
  static final String CHANNEL_SUBSTITUTIONS = "relay_channel_substitutions";

  private final DeliveryRequest request;
  private final String deliveryId;
  private final DeliveryJournal journal;
  private final ChannelSteps steps;
  private final SupportMailbox mailbox;
  private final Random random;

  private Channel lastSentChannel;
  private SendResult lastSend;
  // Final receipts by provider message ID: a receipt may arrive before its send has returned.
  private final Map<String, ProviderReceipt> finalReceipts = new HashMap<>();
  // The message whose receipt timed out: a late "delivered" still settles the delivery.
  private String overdueReceipt;

  SendRound(DeliveryRequest request, String deliveryId, DeliveryJournal journal, ChannelSteps steps,
      SupportMailbox mailbox, Random random) {
    this.request = request;
    this.deliveryId = deliveryId;
    this.journal = journal;
    this.steps = steps;
    this.mailbox = mailbox;
    this.random = random;
  }

  /** The channel a support RETRY uses: the last one sent on, else the current one. */
  Channel retryChannel() {
    return lastSentChannel != null ? lastSentChannel : journal.channel();
  }

  /**
   * Runs a round. Ends DELIVERED, REJECTED (first round only, when nothing was sent) or
   * NEEDS_ATTENTION.
   */
  void run(List<Channel> candidates, SupportCommand command) {
    overdueReceipt = null;
    List<String> problems = new ArrayList<>();
    boolean sent = false;
    for (Channel candidate : candidates) {
      Channel previous = journal.channel();
      journal.channel(candidate);
      if (problems.isEmpty()) {
        enter(candidates, command);
      } else {
        countSubstitution(previous, candidate);
        journal.move(VERIFYING, "fallback", "next-channel",
            "fallback to " + candidate + ": " + problems.get(problems.size() - 1));
      }
      ChannelOutcome outcome = tryChannel(candidate);
      if (outcome.settled()) {
        return;
      }
      problems.add(outcome.problem());
      sent |= outcome.sent();
    }
    journal.reason(String.join("; ", problems));
    if (command == null && !sent) {
      journal.move(REJECTED, "round", "rejected", journal.reason());
    } else {
      // A support round that was refused by identity or consent goes back to support too.
      journal.move(NEEDS_ATTENTION, "round", "failed", journal.reason());
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

  private void enter(List<Channel> candidates, SupportCommand command) {
    if (command == null) {
      journal.move(VERIFYING, "verify", "started", "channels " + candidates);
      return;
    }
    journal.reason(command.action.reason());
    journal.log(VERIFYING, command.action.actor(), command.kind.step, "accepted",
        command.action.reason() + " (channel " + journal.channel() + ")", null, null);
  }

  /** Verify, check consent, prepare and send on one channel. */
  private ChannelOutcome tryChannel(Channel ch) {
    IdentityCheck check;
    try {
      check = steps.identity(ch);
    } catch (ActivityFailure e) {
      Failures.rethrowIfStopping(e);
      return rejected("verify", lower(ch) + " identity check failed: " + Failures.describe(e));
    }
    if (!check.verified()) {
      return rejected("verify", lower(ch) + " identity " + check.failure()
          + (check.reason() != null ? " (" + check.reason() + ")" : ""));
    }
    journal.move(CHECKING_CONSENT, "verify", "ok", "contact point verified");

    ConsentDecision consent;
    try {
      consent = steps.consent(ch);
    } catch (ActivityFailure e) {
      Failures.rethrowIfStopping(e);
      return rejected("consent", lower(ch) + " consent check failed: " + Failures.describe(e));
    }
    if (!consent.granted()) {
      String word = consent.failure() == DeliveryErrorType.CONSENT_WITHDRAWN ? "withdrawn" : "missing";
      String problem = lower(ch) + " consent " + word + " (version " + consent.version() + ")"
          + degradedNote(consent);
      journal.log(journal.status(), RELAY, "consent",
          consent.degraded() ? "rejected-degraded" : "rejected", problem, consent.version(), null);
      return ChannelOutcome.rejected(problem);
    }
    // A decision served from the worker's cache while the consent store was down is marked, so
    // an audit can find every delivery decided that way.
    journal.log(PREPARING, RELAY, "consent", consent.degraded() ? "granted-degraded" : "granted",
        "version " + consent.version() + degradedNote(consent), consent.version(), null);

    PayloadStep payload = steps.payload(ch);
    if (payload.problem() != null) {
      return rejected("prepare", lower(ch) + " payload " + payload.problem());
    }
    journal.nextAttempt();
    lastSentChannel = ch;
    journal.move(SENDING, "prepare", "ok", "payload " + payload.payload().payloadRef());
    return send(ch, check.address(), payload.payload());
  }

  /**
   * One send round: up to maxSendTries tries with jittered exponential backoff, all with the same
   * send key so the activity's ledger catches a send that happened but was not recorded.
   */
  private ChannelOutcome send(Channel ch, String address, PreparedPayload payload) {
    DeliveryPolicy policy = request.policy();
    int round = journal.attempts();
    String sendKey = DeliveryIds.sendKey(deliveryId, ch, round);
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
          round, tryNumber, address, payload, null, null, request.recipientId(),
          request.purpose());
      AcceptRecord onAccept = journal.lean()
          ? journal.reserveAccept(ch == Channel.EMAIL ? DELIVERED : AWAITING_RECEIPT)
          : null;
      TryOutcome outcome = steps.send(sendRequest, onAccept);
      if (outcome.storeUnavailable()) {
        // Legacy only: Relay's own database is down, no provider was called, so the try is not
        // spent; wait and ask again. (A lean send leaves this to Temporal's activity retries.)
        Workflow.sleep(backoff(policy, policy.maxSendTries()));
        tryNumber--;
        continue;
      }
      if (outcome.accepted() == null) {
        lastError = outcome.problem();
        retryHint = outcome.retryHint();
        journal.log(journal.status(), RELAY, "send", "failed",
            "try " + tryNumber + " of " + policy.maxSendTries() + ": " + lastError, null, null,
            onAccept == null ? 0 : onAccept.sequence());
        if (outcome.permanent()) {
          return ChannelOutcome.failed(lower(ch) + " send rejected: " + lastError);
        }
        continue;
      }
      lastSend = outcome.accepted();
      if (outcome.written() != null) {
        journal.adopt(outcome.written(), lastSend);
      } else {
        journal.sent(lastSend);
        // Email counts as delivered once the relay took it: there is no receipt to wait for.
        journal.log(ch == Channel.EMAIL ? DELIVERED : AWAITING_RECEIPT, RELAY, "send", "accepted",
            lastSend.acceptedDetail(tryNumber), null, lastSend);
      }
      if (ch == Channel.EMAIL) {
        return ChannelOutcome.SETTLED;
      }
      return awaitReceipt(lastSend.providerMessageId());
    }
    return ChannelOutcome.failed(
        lower(ch) + " send failed after " + policy.maxSendTries() + " tries: " + lastError);
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
    journal.flush(); // a wait: the record must not lag behind it
    Workflow.await(timeout, () -> mailbox.hasPending() || finalReceipts.containsKey(messageId));
    if (mailbox.hasPending()) {
      // Only markDelivered is valid while awaiting a receipt.
      markDelivered(mailbox.take());
      return ChannelOutcome.SETTLED;
    }
    ProviderReceipt receipt = finalReceipts.get(messageId);
    if (receipt == null) {
      // No fallback to another channel: the SMS may well have arrived, only its receipt did not.
      overdueReceipt = messageId;
      journal.reason("no delivery receipt within " + timeout);
      journal.move(NEEDS_ATTENTION, "receipt", "timeout", journal.reason());
      return ChannelOutcome.SETTLED;
    }
    if (receipt.delivered()) {
      journal.log(DELIVERED, RELAY, "receipt", "delivered", "provider status " + receipt.status(),
          null, lastSend);
      return ChannelOutcome.SETTLED;
    }
    String problem = receiptProblem(receipt);
    journal.log(journal.status(), RELAY, "receipt", "failed", problem, null, lastSend);
    return ChannelOutcome.failed(problem);
  }

  /** The signal: final receipts are kept by message ID, the rest only shows in the timeline. */
  void receipt(ProviderReceipt receipt) {
    if (receipt == null || receipt.providerMessageId() == null) {
      return;
    }
    if (receipt.delivered() || receipt.failed()) {
      finalReceipts.putIfAbsent(receipt.providerMessageId(), receipt);
    } else {
      // Intermediate statuses (queued, sent) change nothing; they are only worth a timeline line.
      journal.timelineOnly("receipt", receipt.status() + ": " + receipt.providerMessageId());
    }
  }

  /** A final receipt for the message whose receipt timed out. */
  boolean lateReceiptArrived() {
    return overdueReceipt() != null;
  }

  void settleLateReceipt() {
    ProviderReceipt receipt = overdueReceipt();
    overdueReceipt = null;
    if (receipt.delivered()) {
      journal.log(DELIVERED, RELAY, "receipt", "delivered",
          "late receipt: provider status " + receipt.status(), null, lastSend);
    } else {
      journal.reason(receiptProblem(receipt));
      journal.log(journal.status(), RELAY, "receipt", "failed", "late receipt: " + journal.reason(),
          null, lastSend);
    }
  }

  void markDelivered(SupportCommand command) {
    journal.reason(command.action.reason());
    journal.log(DELIVERED, command.action.actor(), command.kind.step, "accepted",
        command.action.reason() + "; evidence: " + command.action.evidence(), null, null);
  }

  private ProviderReceipt overdueReceipt() {
    return overdueReceipt == null ? null : finalReceipts.get(overdueReceipt);
  }

  private String receiptProblem(ProviderReceipt receipt) {
    return lower(journal.channel()) + " receipt " + receipt.status()
        + (receipt.errorCode() != null ? " (error " + receipt.errorCode() + ")" : "");
  }

  private ChannelOutcome rejected(String step, String problem) {
    journal.note(step, "rejected", problem);
    return ChannelOutcome.rejected(problem);
  }

  static String lower(Channel ch) {
    return ch == null ? "unknown" : ch.name().toLowerCase(Locale.ROOT);
  }

  private static String degradedNote(ConsentDecision consent) {
    return consent.degraded() ? "; degraded: " + consent.reason() : "";
  }

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
}
