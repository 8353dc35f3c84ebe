package dev.relay.activities.identity;

import dev.relay.activities.channels.sms.SmsGuard;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.IdentityActivities;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.IdentityQuery;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.recipient.Recipient;
import dev.relay.store.recipient.RecipientRepository;
import java.util.Optional;

/**
 * Checks recipient and contact point before anything is sent.
 *
 * <p>Idempotency: a pure read keyed by (tenant, recipient, channel); a retry asks the same
 * question again and changes nothing. A failed check is a result for the workflow to act on;
 * only infrastructure errors throw, and Temporal retries those.
 *
 * <p>Reasons name the recipient and channel but never the address: they end up in workflow
 * history and the audit trail.
 */
public class IdentityActivitiesImpl implements IdentityActivities {
  private final RecipientRepository recipients;
  private final SmsGuard smsGuard;

  public IdentityActivitiesImpl(RecipientRepository recipients) {
    this(recipients, null);
  }

  /**
   * @param smsGuard refuses SMS numbers outside the tenant's allowlist, or only tenant-attested
   *     when the tenant demands Relay verification; null: no such checks
   */
  public IdentityActivitiesImpl(RecipientRepository recipients, SmsGuard smsGuard) {
    this.recipients = recipients;
    this.smsGuard = smsGuard;
  }

  @Override
  public IdentityCheck verifyRecipient(IdentityQuery query) {
    Optional<Recipient> found = recipients.find(query.tenantId(), query.recipientId());
    if (found.isEmpty()) {
      return IdentityCheck.failed(DeliveryErrorType.RECIPIENT_NOT_FOUND,
          "recipient " + query.recipientId() + " not found");
    }
    Recipient recipient = found.get();
    if (!recipient.active()) {
      return IdentityCheck.failed(DeliveryErrorType.RECIPIENT_INACTIVE,
          "recipient " + query.recipientId() + " is inactive");
    }
    String channel = query.channel().name();
    Optional<ContactPoint> contact = recipient.contact(channel);
    if (contact.isEmpty()) {
      return IdentityCheck.failed(DeliveryErrorType.CONTACT_MISSING,
          "recipient " + query.recipientId() + " has no " + channel + " contact point");
    }
    ContactPoint point = contact.get();
    // Suppression is checked before verification: it is the stronger reason (a hard bounce or
    // an opt-out is not cured by verifying the address again).
    if (point.suppressedReason() != null) {
      return IdentityCheck.failed(DeliveryErrorType.CONTACT_SUPPRESSED,
          channel + " contact point of recipient " + query.recipientId() + " is suppressed: "
              + point.suppressedReason());
    }
    if (!point.verified()) {
      return IdentityCheck.failed(DeliveryErrorType.CONTACT_UNVERIFIED,
          channel + " contact point of recipient " + query.recipientId() + " is not verified");
    }
    if (smsGuard != null && query.channel() == Channel.SMS) {
      SmsGuard.Refusal refusal = smsGuard.refusal(query.tenantId(), point);
      if (refusal != null) {
        return IdentityCheck.failed(refusal.type(), channel + " contact point of recipient "
            + query.recipientId() + " refused: " + refusal.reason());
      }
    }
    return IdentityCheck.ok(point.address());
  }
}
