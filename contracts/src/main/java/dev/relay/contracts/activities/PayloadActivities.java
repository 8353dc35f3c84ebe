package dev.relay.contracts.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface PayloadActivities {

  /**
   * Renders the template for the channel and resolves the attached documents. The rendered
   * content is stored under the key (delivery ID, channel), upserted, so a retry rewrites the
   * same row; history gets only the reference and SHA-256 digests. Template and variable errors
   * are non-retryable failures of a type from {@link dev.relay.contracts.DeliveryErrorType}.
   */
  @ActivityMethod
  PreparedPayload preparePayload(PayloadRequest request);
}
