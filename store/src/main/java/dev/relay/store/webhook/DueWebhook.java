package dev.relay.store.webhook;

/**
 * A claimed status event, ready to POST: the body as stored and the tenant's webhook as it is now
 * (url and secret are null when the tenant removed its webhook since the event was queued).
 *
 * @param attempt this try's number, 1-based (the claim counted it)
 */
public record DueWebhook(
    String eventId, String tenantId, String deliveryId, String type, String body, int attempt,
    String url, String secret) {}
