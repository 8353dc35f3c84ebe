package dev.relay.activities.channels;

import dev.relay.contracts.DeliveryErrorType;

/**
 * A send that did not go through, already classified. {@code maybeAccepted} says whether the
 * provider could have taken the message anyway (the connection broke after the request went
 * out): such a try stays SENDING in the ledger so the next try treats it as ambiguous.
 *
 * <p>The message is written for workflow history and the ledger: provider codes and our own
 * words, never addresses or content (provider error texts often echo the address).
 */
public final class SendFailure extends Exception {
  private final DeliveryErrorType type;
  private final boolean maybeAccepted;

  public SendFailure(DeliveryErrorType type, boolean maybeAccepted, String message,
      Throwable cause) {
    super(message, cause, false, false);
    this.type = type;
    this.maybeAccepted = maybeAccepted;
  }

  /** A failure of our own data (content, documents): nothing reached the provider. */
  public static SendFailure beforeProvider(DeliveryErrorType type, String message) {
    return new SendFailure(type, false, message, null);
  }

  public DeliveryErrorType type() {
    return type;
  }

  public boolean maybeAccepted() {
    return maybeAccepted;
  }
}
