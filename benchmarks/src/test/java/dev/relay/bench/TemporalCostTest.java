package dev.relay.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.SearchAttributes;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.ActivityTaskStartedEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.MarkerRecordedEventAttributes;
import io.temporal.api.history.v1.UpsertWorkflowSearchAttributesEventAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Billable actions and task counts from a hand-built history. */
class TemporalCostTest {

  private final List<HistoryEvent> history = new ArrayList<>();

  private HistoryEvent.Builder add(EventType type) {
    HistoryEvent.Builder e = HistoryEvent.newBuilder().setEventId(history.size() + 1).setEventType(type);
    return e;
  }

  private void plain(EventType type) {
    history.add(add(type).build());
  }

  private void workflowTask() {
    plain(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    plain(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    plain(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  }

  private void activity(int attempt) {
    plain(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    history.add(add(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED).setActivityTaskStartedEventAttributes(
        ActivityTaskStartedEventAttributes.newBuilder().setAttempt(attempt)).build());
    plain(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  }

  private void marker(String name, long workflowTaskCompleted) {
    history.add(add(EventType.EVENT_TYPE_MARKER_RECORDED).setMarkerRecordedEventAttributes(
        MarkerRecordedEventAttributes.newBuilder().setMarkerName(name)
            .setWorkflowTaskCompletedEventId(workflowTaskCompleted)).build());
  }

  private void upsert(String... keys) {
    SearchAttributes.Builder sa = SearchAttributes.newBuilder();
    for (String k : keys) {
      sa.putIndexedFields(k, Payload.getDefaultInstance());
    }
    history.add(add(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
        .setUpsertWorkflowSearchAttributesEventAttributes(
            UpsertWorkflowSearchAttributesEventAttributes.newBuilder().setSearchAttributes(sa)).build());
  }

  @Test
  void minimalDeliveryIsOneStartAndOneActivity() {
    plain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    workflowTask();
    activity(1);
    workflowTask();
    plain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);

    TemporalCost cost = TemporalCost.of(history);
    assertEquals(11, cost.events());
    assertEquals(2, cost.workflowTasks());
    assertEquals(1, cost.activities());
    assertEquals(1, cost.activityTasks());
    assertEquals(2, cost.billableActions());
  }

  @Test
  void countsRetriesTimersSignalsUpsertsAndMarkersPerThePublishedMapping() {
    plain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);   // 1
    workflowTask();                                            // tasks: 1, completed = event 4
    marker("Version", 4);                                      // not billed
    marker("LocalActivity", 4);                                // 1 for the task...
    marker("LocalActivity", 4);                                // ...however many markers
    marker("SideEffect", 4);                                   // 1
    upsert("DeliveryStatus", "Channel");                       // 1 however many attributes
    upsert(TemporalCost.CHANGE_VERSION);                       // exempt
    activity(3);                                               // 3 attempts = 3 actions
    plain(EventType.EVENT_TYPE_TIMER_STARTED);                 // 1
    plain(EventType.EVENT_TYPE_TIMER_FIRED);                   // not billed
    plain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);   // 1
    plain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED); // 1
    plain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED); // not billed again
    plain(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED); // 2
    workflowTask();                                            // tasks: 2, completed = event 21
    marker("LocalActivity", history.size());                   // another task: 1
    plain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);

    TemporalCost cost = TemporalCost.of(history);
    assertEquals(history.size(), cost.events());
    assertEquals(2, cost.workflowTasks());
    assertEquals(1, cost.activities());
    assertEquals(3, cost.activityTasks());
    assertEquals(1 + 2 + 1 + 1 + 3 + 1 + 1 + 1 + 2, cost.billableActions());
    assertEquals(Map.of(
        "WorkflowExecutionStarted", 1,
        "MarkerRecorded LocalActivity (per workflow task)", 2,
        "MarkerRecorded SideEffect", 1,
        "UpsertWorkflowSearchAttributes", 1,
        "ActivityTaskStarted (attempts)", 3,
        "TimerStarted", 1,
        "WorkflowExecutionSignaled", 1,
        "WorkflowExecutionUpdateAccepted", 1,
        "StartChildWorkflowExecutionInitiated", 2), cost.actionsByKind());
  }
}
