package dev.relay.activities.notifications;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.contracts.activities.NotificationActivities;
import dev.relay.contracts.activities.StatusNotification;
import dev.relay.store.webhook.OutboxEvent;
import dev.relay.store.webhook.WebhookOutboxRepository;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Queues status events in the webhook outbox; the worker's dispatcher sends them. Writing a row
 * instead of calling the client from here keeps a slow or broken client endpoint out of the
 * workflow: the activity is one keyed insert.
 *
 * <p>Idempotency: keyed by the event ID (delivery ID and the workflow's event sequence); a retry
 * after a lost response inserts nothing. No row at all when the tenant has no status webhook.
 */
public class NotificationActivitiesImpl implements NotificationActivities {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WebhookOutboxRepository outbox;

  public NotificationActivitiesImpl(WebhookOutboxRepository outbox) {
    this.outbox = outbox;
  }

  @Override
  public void notifyStatus(StatusNotification n) {
    outbox.enqueue(outboxEvent(n));
  }

  /** The outbox row of a status event (also written by activities that carry notifications). */
  public static OutboxEvent outboxEvent(StatusNotification n) {
    return new OutboxEvent(n.eventId(), n.tenantId(), n.deliveryId(), n.type().wireName(),
        payload(n));
  }

  /** The body receivers get: {type, deliveryId, status, channel, attempts, reason, occurredAt}. */
  static String payload(StatusNotification n) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", n.type().wireName());
    body.put("deliveryId", n.deliveryId());
    body.put("status", n.status() == null ? null : n.status().name());
    body.put("channel", n.channel() == null ? null : n.channel().name());
    body.put("attempts", n.attempts());
    body.put("reason", n.reason());
    body.put("occurredAt", n.occurredAt() == null ? null : n.occurredAt().toString());
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a status payload of strings and numbers always serializes", e);
    }
  }
}
