package dev.relay.contracts.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The one activity of {@link dev.relay.contracts.workflow.ContactVerificationWorkflow}. */
@ActivityInterface
public interface ContactVerificationActivities {

  /**
   * Draws the verification's code, keeps its keyed hash, and texts it, through the same SMS guard
   * as every SMS (allowlist, segment cap, velocity, pause; counted under the send key
   * {@code verification:<id>}). Idempotent on the verification ID: once SENT (or closed) it sends
   * nothing again. A refusal by the guard or the provider is a non-retryable failure of its
   * {@link dev.relay.contracts.DeliveryErrorType}; the verification is then FAILED.
   */
  @ActivityMethod
  CodeDispatch sendVerificationCode(VerificationSend request);
}
