package dev.relay.store.webhook;

/**
 * A status event to queue for a tenant's webhook.
 *
 * @param eventId the event's unique ID (the webhook-id); queuing it twice keeps the first
 * @param payloadJson the JSON body receivers get
 */
public record OutboxEvent(
    String eventId, String tenantId, String deliveryId, String type, String payloadJson) {}
