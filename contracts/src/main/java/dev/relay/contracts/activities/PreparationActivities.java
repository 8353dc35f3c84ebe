package dev.relay.contracts.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The database-only steps before a send, as one activity: a delivery pays one activity task (one
 * billable action, three history events) for identity, consent and payload instead of three.
 * They stay a regular activity rather than local ones: a long database outage is then waited out
 * by Temporal's retries of one scheduled task, which add no history events, instead of local
 * activity markers and workflow-task heartbeats that do.
 */
@ActivityInterface
public interface PreparationActivities {

  /**
   * Writes {@code request.pending()} (idempotent, see {@link AuditBatch}), then verifies the
   * recipient's contact point for the channel, resolves consent as of {@code asOf}, and renders
   * the payload (stored under (delivery ID, channel), upserted). A refusal is a result, not an
   * exception; only infrastructure errors throw and are retried.
   */
  @ActivityMethod
  Preparation prepareChannel(PrepareRequest request);
}
