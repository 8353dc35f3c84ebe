package dev.relay.contracts.activities;

import dev.relay.contracts.Channel;

public record IdentityQuery(String tenantId, String recipientId, Channel channel) {}
