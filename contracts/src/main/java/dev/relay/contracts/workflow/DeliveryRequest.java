package dev.relay.contracts.workflow;

import dev.relay.contracts.Channel;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a client asked for: the input of {@link DeliveryWorkflow#deliver}. Carries references
 * (template, documents) and variables, never document bytes.
 *
 * @param channels the channels in order of preference; the workflow moves to the next one only
 *     where identity and consent allow it
 * @param deadline optional: past it an undelivered delivery ends {@code EXPIRED}
 */
public record DeliveryRequest(
    String tenantId,
    String deliveryId,
    String recipientId,
    String purpose,
    String templateId,
    Map<String, Object> variables,
    List<Channel> channels,
    List<String> documentIds,
    Instant deadline,
    Instant acceptedAt,
    DeliveryPolicy policy) {

  public DeliveryRequest {
    variables = variables == null ? Map.of() : Map.copyOf(variables);
    channels = channels == null || channels.isEmpty() ? List.of(Channel.EMAIL) : List.copyOf(channels);
    documentIds = documentIds == null ? List.of() : List.copyOf(documentIds);
    policy = policy == null ? DeliveryPolicy.defaults() : policy;
  }
}
