package dev.relay.contracts;

import io.temporal.failure.ApplicationFailure;

/**
 * Every failure type Relay raises across the workflow/activity boundary. The name is the
 * {@link ApplicationFailure#getType()}; {@link #retryable} says whether retrying can help.
 */
public enum DeliveryErrorType {
  RECIPIENT_NOT_FOUND(false),
  RECIPIENT_INACTIVE(false),
  CONTACT_MISSING(false),
  CONTACT_UNVERIFIED(false),
  CONTACT_SUPPRESSED(false),
  CONSENT_MISSING(false),
  CONSENT_WITHDRAWN(false),
  TEMPLATE_NOT_FOUND(false),
  TEMPLATE_CHANNEL_MISSING(false),
  TEMPLATE_VARIABLE_MISSING(false),
  TEMPLATE_INVALID(false),
  /** The rendered payload a send refers to is missing or does not match its digest. */
  PAYLOAD_MISSING(false),
  PAYLOAD_DIGEST_MISMATCH(false),
  DOCUMENT_NOT_FOUND(false),
  DOCUMENT_DIGEST_MISMATCH(false),
  /**
   * An activity kept failing with an error nobody classified (a bug, a corrupt row): stopped
   * after a bounded number of attempts instead of retrying for ever.
   */
  UNEXPECTED(false),
  /**
   * SMS-pumping defence: the number is outside the tenant's country allowlist, not valid, or not
   * able to receive SMS (checked when the recipient is stored and again before each send).
   */
  SMS_DESTINATION_REFUSED(false),
  /** The tenant demands numbers Relay verified itself; this one is only tenant-attested. */
  CONTACT_NOT_RELAY_VERIFIED(false),
  /** The rendered SMS costs more segments than the tenant allows: no provider was called. */
  SMS_TOO_MANY_SEGMENTS(false),
  /** The number had as many SMS as the tenant allows per recipient and window. */
  SMS_VELOCITY_EXCEEDED(false),
  /**
   * The tenant's SMS is paused (a suspicious burst to one number prefix): no provider was called.
   * The delivery waits in NEEDS_ATTENTION; support retries it once an admin lifted the pause.
   */
  SMS_PAUSED(false),
  /** A contact verification the worker was asked to text does not exist (a bug, or erased). */
  VERIFICATION_NOT_FOUND(false),
  /** The provider refused the message for good (SMTP 5xx, Twilio invalid number, ...). */
  PROVIDER_REJECTED(false),
  /** The provider could not take the message now (SMTP 4xx, HTTP 429/5xx, timeouts, resets). */
  PROVIDER_UNAVAILABLE(true),
  /**
   * Relay's own store (the send ledger) is unreachable, so no provider was called: the workflow
   * waits it out without spending one of the round's tries.
   */
  STORE_UNAVAILABLE(true);

  private final boolean retryable;

  DeliveryErrorType(boolean retryable) {
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }

  /** The failure to throw from an activity: non-retryable types stop Temporal's retries. */
  public ApplicationFailure failure(String message) {
    return retryable
        ? ApplicationFailure.newFailure(message, name())
        : ApplicationFailure.newNonRetryableFailure(message, name());
  }

  public ApplicationFailure failure(String message, Throwable cause) {
    return retryable
        ? ApplicationFailure.newFailureWithCause(message, name(), cause)
        : ApplicationFailure.newNonRetryableFailureWithCause(message, name(), cause);
  }

  /** The enum value for a failure type string, or null when it is not one of ours. */
  public static DeliveryErrorType fromType(String type) {
    if (type == null) {
      return null;
    }
    for (DeliveryErrorType t : values()) {
      if (t.name().equals(type)) {
        return t;
      }
    }
    return null;
  }
}
