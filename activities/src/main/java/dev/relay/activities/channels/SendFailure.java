package dev.relay.activities.channels;

import dev.relay.activities.channels.FailureTable.Decision;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.store.recipient.SuppressionReason;

/**
 * A send that did not go through, already classified by the provider's {@link FailureTable}.
 * {@code decision} says whether to retry the same provider later, fail over to the next one now,
 * or give up; {@code maybeAccepted} whether the provider could have taken the message anyway
 * (the connection broke after the request went out): such a try stays SENDING in the ledger so
 * the next try treats it as ambiguous.
 *
 * <p>The message is written for workflow history and the ledger: provider codes and our own
 * words, never addresses or content (provider error texts often echo the address).
 */
public final class SendFailure extends Exception {
  private final DeliveryErrorType type;
  private final Decision decision;
  private final boolean maybeAccepted;
  private final SuppressionReason suppression;

  public SendFailure(Decision decision, boolean maybeAccepted, String message, Throwable cause) {
    this(decision.type(), decision, maybeAccepted, message, cause, null);
  }

  private SendFailure(DeliveryErrorType type, Decision decision, boolean maybeAccepted,
      String message, Throwable cause, SuppressionReason suppression) {
    super(message, cause, false, false);
    this.type = type;
    this.decision = decision;
    this.maybeAccepted = maybeAccepted;
    this.suppression = suppression;
  }

  /**
   * This failure, saying that the contact point itself is dead for good (a hard bounce, a STOP):
   * the send records a suppression that no client write can lift.
   */
  public SendFailure suppressing(SuppressionReason reason) {
    return new SendFailure(type, decision, maybeAccepted, getMessage(), getCause(), reason);
  }

  /** Why the contact point must not be sent to again, or null when this failure says nothing. */
  public SuppressionReason suppression() {
    return suppression;
  }

  /** A failure of our own data (content, documents): nothing reached the provider. */
  public static SendFailure beforeProvider(DeliveryErrorType type, String message) {
    return new SendFailure(type, Decision.PERMANENT, false, message, null, null);
  }

  public DeliveryErrorType type() {
    return type;
  }

  public Decision decision() {
    return decision;
  }

  public boolean maybeAccepted() {
    return maybeAccepted;
  }
}
