package dev.relay.store.webhook;

import java.time.Instant;

/**
 * A tenant's status webhook.
 *
 * @param secret the Standard Webhooks signing secret ({@code whsec_...}); null when the URL was
 *     set without one (through {@code TenantRepository}): no events are queued until it is set again
 * @param updatedAt when the URL was last set (a new secret is made each time)
 */
public record StatusWebhook(String tenantId, String url, String secret, Instant updatedAt) {}
