package dev.relay.api.support;

import dev.relay.contracts.DeliveryIds;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.Map;
import java.util.TreeMap;

/** What a delivery's workflow was started with, read from its first history event. */
public final class StartEvents {
  private StartEvents() {}

  /** The search attributes in the workflow's start event (not upserted later), by name. */
  public static Map<String, String> searchAttributesAtStart(WorkflowClient client, String deliveryId) {
    HistoryEvent first = client.fetchHistory(DeliveryIds.workflowId(deliveryId)).getEvents().get(0);
    Map<String, Payload> fields = first.getWorkflowExecutionStartedEventAttributes()
        .getSearchAttributes().getIndexedFieldsMap();
    Map<String, String> out = new TreeMap<>();
    fields.forEach((name, payload) -> out.put(name,
        DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, String.class, String.class)));
    return out;
  }
}
