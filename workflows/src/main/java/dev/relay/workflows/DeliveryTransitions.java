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

import dev.relay.contracts.DeliveryStatus;
import java.util.EnumSet;
import java.util.Set;

/**
 * The delivery state machine: which status may follow which. The workflow checks every move
 * against it, so a coding error shows up as a failed workflow task instead of a silently wrong
 * status in the audit trail.
 */
final class DeliveryTransitions {

  private DeliveryTransitions() {}

  static boolean allowed(DeliveryStatus from, DeliveryStatus to) {
    return next(from).contains(to);
  }

  static Set<DeliveryStatus> next(DeliveryStatus from) {
    return switch (from) {
      case ACCEPTED -> EnumSet.of(VERIFYING, CANCELLED, EXPIRED);
      // From any step of a channel the round may go on with the next channel (VERIFYING again)
      // or end: REJECTED only before anything was sent, NEEDS_ATTENTION otherwise.
      case VERIFYING ->
          EnumSet.of(CHECKING_CONSENT, VERIFYING, REJECTED, NEEDS_ATTENTION, CANCELLED, EXPIRED);
      case CHECKING_CONSENT ->
          EnumSet.of(PREPARING, VERIFYING, REJECTED, NEEDS_ATTENTION, CANCELLED, EXPIRED);
      case PREPARING -> EnumSet.of(SENDING, VERIFYING, REJECTED, NEEDS_ATTENTION, CANCELLED, EXPIRED);
      case SENDING ->
          EnumSet.of(AWAITING_RECEIPT, DELIVERED, VERIFYING, NEEDS_ATTENTION, CANCELLED, EXPIRED);
      case AWAITING_RECEIPT -> EnumSet.of(DELIVERED, VERIFYING, NEEDS_ATTENTION, CANCELLED, EXPIRED);
      case NEEDS_ATTENTION -> EnumSet.of(VERIFYING, DELIVERED, CANCELLED, EXPIRED);
      case DELIVERED, REJECTED, CANCELLED, EXPIRED -> EnumSet.noneOf(DeliveryStatus.class);
    };
  }
}
