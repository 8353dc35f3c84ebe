package dev.relay.bench;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What one finished workflow's history holds: scheduled activities and events in all. */
record HistoryCounts(int activities, int events) {

  /** Waits (up to a minute) for the workflow to finish, then counts its history. */
  static HistoryCounts of(WorkflowClient client, String workflowId) throws Exception {
    client.newUntypedWorkflowStub(workflowId).getResult(60, TimeUnit.SECONDS, Object.class);
    List<HistoryEvent> events = client.fetchHistory(workflowId).getEvents();
    int activities = (int) events.stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .count();
    return new HistoryCounts(activities, events.size());
  }
}
