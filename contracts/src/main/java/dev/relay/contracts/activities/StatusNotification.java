package dev.relay.contracts.activities;

import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import java.time.Instant;

/**
 * One status event of a delivery, for the client's webhook.
 *
 * @param sequence the workflow's event counter of the audit event this one reports: with the
 *     delivery ID it is the event ID
 * @param status the delivery's status when the event happened
 * @param occurredAt workflow time of the event
 */
public record StatusNotification(
    String tenantId,
    String deliveryId,
    long sequence,
    StatusEventType type,
    DeliveryStatus status,
    Channel channel,
    int attempts,
    String reason,
    Instant occurredAt) {

  /** The event's ID, the {@code webhook-id} receivers dedupe on. */
  public String eventId() {
    return DeliveryIds.eventId(deliveryId, sequence);
  }
}
