package dev.relay.contracts.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface IdentityActivities {

  /**
   * Checks that the recipient exists and is active and that its contact point for the channel
   * is verified and not suppressed. A read only: idempotent by nature. A failed check is a
   * result, not an exception; only infrastructure errors (database down) throw and are retried.
   */
  @ActivityMethod
  IdentityCheck verifyRecipient(IdentityQuery query);
}
