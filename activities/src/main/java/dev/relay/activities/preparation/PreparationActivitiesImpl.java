package dev.relay.activities.preparation;

import dev.relay.activities.audit.AuditBatchWriter;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.ConsentActivities;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.ConsentQuery;
import dev.relay.contracts.activities.IdentityActivities;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.IdentityQuery;
import dev.relay.contracts.activities.PayloadActivities;
import dev.relay.contracts.activities.PayloadRequest;
import dev.relay.contracts.activities.Preparation;
import dev.relay.contracts.activities.PreparationActivities;
import dev.relay.contracts.activities.PrepareRequest;
import dev.relay.contracts.activities.PreparedPayload;
import io.temporal.failure.ApplicationFailure;

/**
 * Identity, consent and payload as one activity, composed of the activities that do each (the
 * same instances the worker registers, so consent's degraded-mode cache is one cache).
 *
 * <p>Idempotency: the pending batch is keyed as {@link dev.relay.contracts.activities.AuditBatch}
 * says; identity and consent are reads (consent as of the workflow's {@code asOf}); the payload
 * is upserted under (delivery ID, channel). A retry writes nothing twice and gets the same answer
 * unless the recipient's data changed in between.
 */
public class PreparationActivitiesImpl implements PreparationActivities {
  private final AuditBatchWriter bookkeeping;
  private final IdentityActivities identities;
  private final ConsentActivities consents;
  private final PayloadActivities payloads;

  public PreparationActivitiesImpl(AuditBatchWriter bookkeeping, IdentityActivities identities,
      ConsentActivities consents, PayloadActivities payloads) {
    this.bookkeeping = bookkeeping;
    this.identities = identities;
    this.consents = consents;
    this.payloads = payloads;
  }

  @Override
  public Preparation prepareChannel(PrepareRequest request) {
    bookkeeping.write(request.pending());

    IdentityCheck identity = identities.verifyRecipient(
        new IdentityQuery(request.tenantId(), request.recipientId(), request.channel()));
    if (!identity.verified()) {
      return Preparation.unverified(identity);
    }
    ConsentDecision consent = consents.resolveConsent(new ConsentQuery(request.tenantId(),
        request.recipientId(), request.purpose(), request.channel(), request.asOf()));
    if (!consent.granted()) {
      return Preparation.refused(identity, consent);
    }
    PreparedPayload payload;
    try {
      payload = payloads.preparePayload(new PayloadRequest(request.tenantId(),
          request.deliveryId(), request.templateId(), request.variables(),
          request.documentIds(), request.channel()));
    } catch (ApplicationFailure failure) {
      DeliveryErrorType type = DeliveryErrorType.fromType(failure.getType());
      if (type == null || !failure.isNonRetryable()) {
        throw failure; // Temporal retries it
      }
      // A template, variable or document error: no retry renders it, the workflow decides.
      return Preparation.unrenderable(identity, consent, type, failure.getOriginalMessage());
    }
    return Preparation.ready(identity, consent, payload);
  }
}
