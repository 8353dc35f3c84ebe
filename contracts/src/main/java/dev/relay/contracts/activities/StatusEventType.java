package dev.relay.contracts.activities;

import dev.relay.contracts.DeliveryStatus;

/** The status events a client may receive; {@link #wireName()} is the payload's {@code type}. */
public enum StatusEventType {
  DELAYED("delivery.delayed"),
  NEEDS_ATTENTION("delivery.needs_attention"),
  DELIVERED("delivery.delivered"),
  REJECTED("delivery.rejected"),
  CANCELLED("delivery.cancelled"),
  EXPIRED("delivery.expired");

  private final String wireName;

  StatusEventType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The event of reaching a status, or null when reaching it is not worth telling the client. */
  public static StatusEventType reaching(DeliveryStatus status) {
    return switch (status) {
      case NEEDS_ATTENTION -> NEEDS_ATTENTION;
      case DELIVERED -> DELIVERED;
      case REJECTED -> REJECTED;
      case CANCELLED -> CANCELLED;
      case EXPIRED -> EXPIRED;
      default -> null;
    };
  }
}
