package dev.relay.store.payload;

/** What a delivery rendered for one channel. {@code sha256} covers subject and bodies. */
public record RenderedPayload(
    String deliveryId,
    String channel,
    String tenantId,
    String templateId,
    int templateVersion,
    String subject,
    String htmlBody,
    String textBody,
    String sha256) {}
