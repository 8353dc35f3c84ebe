package dev.relay.contracts.activities;

import dev.relay.contracts.Channel;
import java.time.Instant;

public record ConsentQuery(
    String tenantId, String recipientId, String purpose, Channel channel, Instant asOf) {}
