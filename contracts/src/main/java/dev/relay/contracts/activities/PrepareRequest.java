package dev.relay.contracts.activities;

import dev.relay.contracts.Channel;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one channel needs before a send: identity, consent (as of {@code asOf}) and the
 * rendered payload, checked in that order in one activity.
 *
 * @param pending bookkeeping to write first (see {@link AuditBatch}); may be empty
 */
public record PrepareRequest(
    String tenantId,
    String deliveryId,
    String recipientId,
    String purpose,
    Channel channel,
    Instant asOf,
    String templateId,
    Map<String, Object> variables,
    List<String> documentIds,
    AuditBatch pending) {

  public PrepareRequest {
    variables = variables == null ? Map.of() : variables;
    documentIds = documentIds == null ? List.of() : documentIds;
    pending = AuditBatch.orEmpty(pending);
  }
}
