package dev.relay.contracts.workflow;

import dev.relay.contracts.activities.AuditSealReport;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One run of the scheduled audit verifier (started by the Temporal Schedule
 * {@link #SCHEDULE_ID}): a short workflow with one activity, so history stays a handful of events
 * per run however long the schedule lives.
 */
@WorkflowInterface
public interface AuditSealWorkflow {
  String SCHEDULE_ID = "relay-audit-verifier";

  /** The workflow ID prefix of the schedule's runs (the server appends the run's time). */
  String WORKFLOW_ID = "relay-audit-verifier";

  @WorkflowMethod
  AuditSealReport run();
}
