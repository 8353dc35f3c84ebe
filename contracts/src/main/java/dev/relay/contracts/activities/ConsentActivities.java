package dev.relay.contracts.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface ConsentActivities {

  /**
   * The recipient's consent for a purpose on a channel as of {@code query.asOf()}: the newest
   * consent version recorded at or before that instant. A read of versioned, append-only data,
   * so idempotent: the same query always gets the same answer.
   */
  @ActivityMethod
  ConsentDecision resolveConsent(ConsentQuery query);
}
