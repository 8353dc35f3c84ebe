package dev.relay.contracts.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The scheduled audit verifier's one activity. */
@ActivityInterface
public interface AuditSealActivities {

  /**
   * For every tenant: verifies the audit rows written since its newest signed checkpoint (a
   * bounded number per run), signs a new checkpoint at the last verified row, and exports the
   * checkpointed rows to the off-site archive. A break is reported (metric, ERROR log with tenant
   * and chain_seq) and leaves that tenant's checkpoints and exports where they were. Idempotent:
   * a retry re-verifies from the newest checkpoint and re-exports nothing twice.
   */
  @ActivityMethod
  AuditSealReport verifyAndExport();
}
