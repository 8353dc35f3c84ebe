package dev.relay.workflows;

import dev.relay.contracts.Channel;
import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.activities.AcceptRecord;
import dev.relay.contracts.activities.AuditBatch;
import dev.relay.contracts.activities.ChannelActivities;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.PrepareRequest;
import dev.relay.contracts.activities.Preparation;
import dev.relay.contracts.activities.PreparationActivities;
import dev.relay.contracts.activities.SendOutcome;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.workflow.DeliveryRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.EnumMap;
import java.util.Map;

/**
 * The steps of a lean delivery: one call ({@link PreparationActivities#prepareChannel}) answers
 * identity, consent and payload for a channel, as a local activity first (version 2) and as a
 * regular activity when that fails (a database outage) or in histories of version 1; one activity per send try, on the channel's send
 * queue (where the server holds the provider's rate across all workers), returning refusals as
 * results. Each call carries the journal's unwritten bookkeeping.
 */
final class LeanChannelSteps implements ChannelSteps {

  private final PreparationActivities preparations = Workflow.newActivityStub(
      PreparationActivities.class, DeliveryActivityOptions.standard());
  // Null before version 2 of LEAN_DELIVERIES: those histories scheduled the activity directly.
  private final PreparationActivities localPreparations;
  private final Map<Channel, ChannelActivities> senders = new EnumMap<>(Channel.class);
  private final DeliveryRequest request;
  private final String deliveryId;
  private final DeliveryJournal journal;
  // The preparation of the channel being tried: asked once, then read step by step.
  private Channel preparedFor;
  private Preparation preparation;

  LeanChannelSteps(DeliveryRequest request, String deliveryId, DeliveryJournal journal,
      boolean localPreparation) {
    this.localPreparations = localPreparation
        ? Workflow.newLocalActivityStub(PreparationActivities.class,
            DeliveryActivityOptions.localPreparation())
        : null;
    this.request = request;
    this.deliveryId = deliveryId;
    this.journal = journal;
  }

  @Override
  public IdentityCheck identity(Channel channel) {
    // A new ask every time a channel is tried (a support round re-checks identity and consent).
    AuditBatch carried = journal.pending();
    PrepareRequest ask = new PrepareRequest(request.tenantId(), deliveryId,
        request.recipientId(), request.purpose(), channel, DeliveryJournal.now(),
        request.templateId(), request.variables(), request.documentIds(), carried);
    preparation = prepare(ask);
    preparedFor = channel;
    journal.saved(carried);
    return preparation.identity();
  }

  @Override
  public ConsentDecision consent(Channel channel) {
    return prepared(channel).consent();
  }

  @Override
  public PayloadStep payload(Channel channel) {
    Preparation p = prepared(channel);
    if (p.payload() != null) {
      return new PayloadStep(p.payload(), null);
    }
    return new PayloadStep(null, p.payloadFailure() + ": " + p.payloadProblem());
  }

  @Override
  public TryOutcome send(SendRequest sendRequest, AcceptRecord onAccept) {
    AuditBatch carried = journal.pending();
    SendOutcome outcome;
    try {
      outcome = sender(sendRequest.channel()).send(sendRequest.withLean(carried, onAccept));
    } catch (ActivityFailure e) {
      // Only what Temporal stopped retrying gets here (a non-retryable error): a spent try.
      Failures.rethrowIfStopping(e);
      return TryOutcome.failed(Failures.describe(e), Failures.isPermanent(e), Failures.retryHint(e));
    }
    journal.saved(carried);
    if (outcome.isAccepted()) {
      return TryOutcome.accepted(outcome.accepted(), outcome.recorded());
    }
    return TryOutcome.failed(outcome.failureType() + ": " + outcome.failure(), outcome.permanent(),
        outcome.retryAfter());
  }

  /**
   * Locally first (version 2), then, if that failed for any reason but a stop, the regular
   * activity: the same keyed, idempotent call, so the carried batch is written once either way.
   */
  private Preparation prepare(PrepareRequest ask) {
    if (localPreparations != null) {
      try {
        return localPreparations.prepareChannel(ask);
      } catch (ActivityFailure e) {
        Failures.rethrowIfStopping(e);
      }
    }
    return preparations.prepareChannel(ask);
  }

  private Preparation prepared(Channel channel) {
    if (preparation == null || preparedFor != channel) {
      throw new IllegalStateException("identity of " + channel + " must be asked first");
    }
    return preparation;
  }

  private ChannelActivities sender(Channel channel) {
    return senders.computeIfAbsent(channel, ch -> Workflow.newActivityStub(
        ChannelActivities.class,
        DeliveryActivityOptions.leanSend(TaskQueues.sends(ch), request.policy().sendTimeout())));
  }
}
