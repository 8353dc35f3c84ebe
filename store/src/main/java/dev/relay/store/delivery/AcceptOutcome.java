package dev.relay.store.delivery;

/** What happened when a delivery was offered under an idempotency key. */
public sealed interface AcceptOutcome {
  DeliveryRecord record();

  /** First time this key was seen: a new row. */
  record Created(DeliveryRecord record) implements AcceptOutcome {}

  /** The key was seen with the same request: the earlier delivery. */
  record Duplicate(DeliveryRecord record) implements AcceptOutcome {}

  /** The key was seen with a different request. */
  record Conflict(DeliveryRecord record) implements AcceptOutcome {}
}
