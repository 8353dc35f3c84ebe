package dev.relay.contracts;

/** Task-queue names shared by the API (client), the worker and the tests. */
public final class TaskQueues {
  /** Delivery workflows and all their activities. */
  public static final String DELIVERY = "relay-delivery";

  private TaskQueues() {}
}
