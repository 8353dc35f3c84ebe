package dev.relay.workflows;

import dev.relay.contracts.Channel;
import dev.relay.contracts.activities.AcceptRecord;
import dev.relay.contracts.activities.ChannelActivities;
import dev.relay.contracts.activities.ConsentActivities;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.ConsentQuery;
import dev.relay.contracts.activities.IdentityActivities;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.IdentityQuery;
import dev.relay.contracts.activities.PayloadActivities;
import dev.relay.contracts.activities.PayloadRequest;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.contracts.workflow.DeliveryRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;

/**
 * The steps as workflows started before {@link DeliveryWorkflowImpl#LEAN_DELIVERIES} ran them:
 * one activity per step, sends on the delivery queue that throw their refusals. Kept so those
 * histories replay command for command; no new workflow takes this path.
 */
final class LegacyChannelSteps implements ChannelSteps {

  private final IdentityActivities identity =
      Workflow.newActivityStub(IdentityActivities.class, DeliveryActivityOptions.standard());
  private final ConsentActivities consents =
      Workflow.newActivityStub(ConsentActivities.class, DeliveryActivityOptions.standard());
  private final PayloadActivities payloads =
      Workflow.newActivityStub(PayloadActivities.class, DeliveryActivityOptions.standard());
  private final ChannelActivities channels;
  private final DeliveryRequest request;
  private final String deliveryId;

  LegacyChannelSteps(DeliveryRequest request, String deliveryId) {
    this.request = request;
    this.deliveryId = deliveryId;
    this.channels = Workflow.newActivityStub(
        ChannelActivities.class, DeliveryActivityOptions.send(request.policy().sendTimeout()));
  }

  @Override
  public IdentityCheck identity(Channel channel) {
    return identity.verifyRecipient(new IdentityQuery(request.tenantId(), request.recipientId(), channel));
  }

  @Override
  public ConsentDecision consent(Channel channel) {
    return consents.resolveConsent(new ConsentQuery(
        request.tenantId(), request.recipientId(), request.purpose(), channel, DeliveryJournal.now()));
  }

  @Override
  public PayloadStep payload(Channel channel) {
    try {
      return new PayloadStep(payloads.preparePayload(new PayloadRequest(request.tenantId(),
          deliveryId, request.templateId(), request.variables(), request.documentIds(), channel)), null);
    } catch (ActivityFailure e) {
      Failures.rethrowIfStopping(e);
      // Only permanent errors (template, variable, document) get here: the rest is retried.
      return new PayloadStep(null, Failures.describe(e));
    }
  }

  @Override
  public TryOutcome send(SendRequest sendRequest, AcceptRecord onAccept) {
    try {
      SendResult result = sendRequest.channel() == Channel.EMAIL
          ? channels.sendEmail(sendRequest)
          : channels.sendSms(sendRequest);
      return TryOutcome.accepted(result, null);
    } catch (ActivityFailure e) {
      Failures.rethrowIfStopping(e);
      if (Failures.isStoreUnavailable(e)) {
        return TryOutcome.storeDown(Failures.describe(e));
      }
      return TryOutcome.failed(Failures.describe(e), Failures.isPermanent(e), Failures.retryHint(e));
    }
  }
}
