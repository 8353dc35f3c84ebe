package dev.relay.contracts.activities;

import dev.relay.contracts.Channel;
import java.util.List;
import java.util.Map;

public record PayloadRequest(
    String tenantId,
    String deliveryId,
    String templateId,
    Map<String, Object> variables,
    List<String> documentIds,
    Channel channel) {}
