package dev.relay.store.webhook;

/** Where a status event is: still to be sent, received by the tenant (2xx), or given up on. */
public enum OutboxState {
  PENDING,
  DELIVERED,
  FAILED
}
