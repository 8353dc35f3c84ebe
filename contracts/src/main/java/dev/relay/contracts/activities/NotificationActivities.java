package dev.relay.contracts.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Tells the client about a delivery's progress, through the tenant's status webhook. */
@ActivityInterface
public interface NotificationActivities {

  /**
   * Queues one status event for the tenant's webhook (a row in the webhook outbox; a dispatcher in
   * the worker POSTs it). Idempotent on {@link StatusNotification#eventId()}: a retried call adds
   * nothing. Does nothing when the tenant has no status webhook.
   */
  @ActivityMethod
  void notifyStatus(StatusNotification notification);
}
