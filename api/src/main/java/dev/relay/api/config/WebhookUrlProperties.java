package dev.relay.api.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code relay.webhooks.*} as the API sees it: which status-webhook URLs a tenant may set (the
 * worker checks the same rule again at every send).
 *
 * @param allowInsecureLocal local development only: also plain http, and hosts on loopback; every
 *     other non-public address stays refused. The {@code prod} profile refuses to start with it.
 */
@ConfigurationProperties("relay.webhooks")
public record WebhookUrlProperties(@DefaultValue("false") boolean allowInsecureLocal) {}
