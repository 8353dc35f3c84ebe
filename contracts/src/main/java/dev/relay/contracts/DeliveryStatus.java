package dev.relay.contracts;

/** The states of a delivery; the workflow is an explicit state machine over these. */
public enum DeliveryStatus {
  ACCEPTED,
  VERIFYING,
  CHECKING_CONSENT,
  PREPARING,
  SENDING,
  AWAITING_RECEIPT,
  DELIVERED,
  REJECTED,
  NEEDS_ATTENTION,
  CANCELLED,
  EXPIRED;

  /** A final state never changes again: the workflow has completed. */
  public boolean isFinal() {
    return this == DELIVERED || this == REJECTED || this == CANCELLED || this == EXPIRED;
  }
}
