package dev.relay.workflows;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import java.util.List;

/**
 * What a history costs: events (server work and storage), workflow and activity tasks, and
 * Temporal Cloud billable actions as Temporal's published list counts them (docs: "Temporal Cloud
 * Actions"): the start, each activity start or retry, each timer, each search-attribute upsert
 * (attributes given at start are free), each signal and update, and record-marker commands at
 * most one per workflow task (counted here conservatively: a version marker may be billed like a
 * local-activity marker).
 */
record HistoryCost(int events, int workflowTasks, int activityTasks, int timers, int upserts,
    int markers, int signals, int updates, int billableActions) {

  static HistoryCost of(WorkflowExecutionHistory history) {
    List<HistoryEvent> events = history.getEvents();
    int workflowTasks = 0;
    int activityTasks = 0;
    int timers = 0;
    int upserts = 0;
    int markers = 0;
    int signals = 0;
    int updates = 0;
    int markerTasks = 0;
    long lastMarkerTask = -1;
    long currentTask = 0;
    for (HistoryEvent e : events) {
      EventType type = e.getEventType();
      switch (type) {
        case EVENT_TYPE_WORKFLOW_TASK_SCHEDULED -> workflowTasks++;
        case EVENT_TYPE_WORKFLOW_TASK_COMPLETED -> currentTask = e.getEventId();
        case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> activityTasks++;
        // Retries happen inside one scheduled task: the attempt says how many starts it took.
        case EVENT_TYPE_ACTIVITY_TASK_STARTED ->
            activityTasks += Math.max(0, e.getActivityTaskStartedEventAttributes().getAttempt() - 1);
        case EVENT_TYPE_TIMER_STARTED -> timers++;
        case EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES -> upserts++;
        case EVENT_TYPE_MARKER_RECORDED -> {
          markers++;
          if (currentTask != lastMarkerTask) {
            markerTasks++;
            lastMarkerTask = currentTask;
          }
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED -> signals++;
        case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED -> updates++;
        default -> { }
      }
    }
    int billable = 1 + activityTasks + timers + upserts + markerTasks + signals + updates;
    return new HistoryCost(events.size(), workflowTasks, activityTasks, timers, upserts, markers,
        signals, updates, billable);
  }
}
