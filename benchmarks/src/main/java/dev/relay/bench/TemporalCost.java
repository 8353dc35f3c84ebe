package dev.relay.bench;

import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What one workflow run costs Temporal, counted from its history.
 *
 * <p>Billable actions follow Temporal Cloud's published mapping (docs.temporal.io/cloud/actions,
 * read 2026-12-02). Only what a history shows can be counted: queries, activity heartbeats and
 * rejected updates are billed too but leave no event, so this is a lower bound when a workflow
 * uses them. Counted, one action each unless said otherwise:
 *
 * <ul>
 *   <li>{@code WorkflowExecutionStarted}: "Workflow started" (client start, continue-as-new, child
 *       start all show up as this event in the new run's history);
 *   <li>{@code ActivityTaskStarted}: "Activity started or retried" is billed per attempt; the server
 *       writes only the last attempt's Started event, whose {@code attempt} field says how many
 *       tries there were, so it counts {@code attempt} actions;
 *   <li>{@code TimerStarted}: "Timer started", including the SDK's implicit timers;
 *   <li>{@code UpsertWorkflowSearchAttributes}: one per command however many attributes it sets,
 *       except an upsert of only {@code TemporalChangeVersion}, which Temporal exempts;
 *   <li>{@code WorkflowExecutionSignaled} and {@code SignalExternalWorkflowExecutionInitiated}:
 *       "Signal sent", from a client or from a workflow;
 *   <li>{@code WorkflowExecutionUpdateAccepted}: "Update received by worker" (successful ones are
 *       in history; rejected ones are not, see above);
 *   <li>{@code MarkerRecorded} named {@code SideEffect} or {@code MutableSideEffect}: "Side Effect
 *       recorded" (the Java SDK writes a MutableSideEffect marker only when the value changes,
 *       which is exactly when Temporal bills it);
 *   <li>{@code MarkerRecorded} named {@code LocalActivity}: all local-activity markers of one
 *       workflow task are one action (Temporal counts a task's RecordMarker commands once);
 *   <li>{@code StartChildWorkflowExecutionInitiated}: two actions (the start and the execution);
 *   <li>{@code WorkflowExecutionOptionsUpdated}, {@code NexusOperationScheduled},
 *       {@code NexusOperationCanceled}: one each.
 * </ul>
 *
 * <p>Not billed, so not counted: workflow tasks, activity completions/failures, timer fires, and
 * {@code Version} markers from {@code Workflow.getVersion} (not in the published list; their
 * {@code TemporalChangeVersion} search attribute is exempt). Workflow tasks are still reported:
 * they are what the server and the worker spend CPU on.
 *
 * @param events history events of the run
 * @param workflowTasks {@code WorkflowTaskScheduled} events
 * @param activities {@code ActivityTaskScheduled} events
 * @param activityTasks activity attempts: activities plus their retries (attempt − 1 each)
 * @param billableActions Temporal Cloud actions per the mapping above
 * @param actionsByKind where the actions come from, by event type
 */
public record TemporalCost(int events, int workflowTasks, int activities, int activityTasks,
    int billableActions, Map<String, Integer> actionsByKind) {

  static final String CHANGE_VERSION = "TemporalChangeVersion";

  public static TemporalCost of(List<HistoryEvent> history) {
    int workflowTasks = 0;
    int activities = 0;
    int activityTasks = 0;
    Map<String, Integer> actions = new TreeMap<>();
    Set<Long> localActivityTasks = new HashSet<>();
    for (HistoryEvent e : history) {
      EventType type = e.getEventType();
      switch (type) {
        case EVENT_TYPE_WORKFLOW_TASK_SCHEDULED -> workflowTasks++;
        case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> activities++;
        case EVENT_TYPE_ACTIVITY_TASK_STARTED -> {
          int attempts = Math.max(1, e.getActivityTaskStartedEventAttributes().getAttempt());
          activityTasks += attempts;
          actions.merge("ActivityTaskStarted (attempts)", attempts, Integer::sum);
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, EVENT_TYPE_TIMER_STARTED,
            EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
            EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
            EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
            EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED, EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
            EVENT_TYPE_NEXUS_OPERATION_CANCELED -> actions.merge(name(type), 1, Integer::sum);
        case EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED ->
            actions.merge(name(type), 2, Integer::sum);
        case EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES -> {
          Map<String, Payload> fields = e.getUpsertWorkflowSearchAttributesEventAttributes()
              .getSearchAttributes().getIndexedFieldsMap();
          boolean onlyChangeVersion = !fields.isEmpty() && fields.keySet().equals(Set.of(CHANGE_VERSION));
          if (!onlyChangeVersion) {
            actions.merge(name(type), 1, Integer::sum);
          }
        }
        case EVENT_TYPE_MARKER_RECORDED -> {
          String marker = e.getMarkerRecordedEventAttributes().getMarkerName();
          if (marker.equals("SideEffect") || marker.equals("MutableSideEffect")) {
            actions.merge("MarkerRecorded " + marker, 1, Integer::sum);
          } else if (marker.equals("LocalActivity")
              && localActivityTasks.add(e.getMarkerRecordedEventAttributes().getWorkflowTaskCompletedEventId())) {
            actions.merge("MarkerRecorded LocalActivity (per workflow task)", 1, Integer::sum);
          }
        }
        default -> {
          // not billed
        }
      }
    }
    int billable = actions.values().stream().mapToInt(Integer::intValue).sum();
    return new TemporalCost(history.size(), workflowTasks, activities, activityTasks, billable,
        java.util.Collections.unmodifiableMap(actions));
  }

  /**
   * The happy path's cost: the smallest of the last (up to) three warm-up workflows' histories.
   * A cold worker on a busy machine can fail a first workflow task (deadlock detector, 1 s), which
   * adds events that are load, not design; the closed and open loops measure load.
   */
  static TemporalCost happyPath(WorkflowClient client, List<String> workflowIds) throws Exception {
    TemporalCost least = null;
    for (String id : workflowIds.subList(Math.max(0, workflowIds.size() - 3), workflowIds.size())) {
      TemporalCost c = fetch(client, id);
      least = least == null || c.events() < least.events() ? c : least;
    }
    if (least == null) {
      throw new IllegalStateException("no workflow to count");
    }
    return least;
  }

  /** Waits (up to a minute) for the workflow to finish, then counts its history. */
  static TemporalCost fetch(WorkflowClient client, String workflowId) throws Exception {
    client.newUntypedWorkflowStub(workflowId).getResult(60, TimeUnit.SECONDS, Object.class);
    return of(client.fetchHistory(workflowId).getEvents());
  }

  private static String name(EventType type) {
    StringBuilder s = new StringBuilder();
    for (String part : type.name().substring("EVENT_TYPE_".length()).split("_")) {
      s.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return s.toString();
  }
}
