package dev.relay.contracts;

/** Task-queue names shared by the API (client), the worker and the tests. */
public final class TaskQueues {
  /** Delivery workflows and all their activities. */
  public static final String DELIVERY = "relay-delivery";

  /**
   * Sends of one channel, on the lean path. A queue per channel lets the server enforce the
   * channel's provider rate across every worker process (the task queue's activity rate limit);
   * per-process limiters only hold per process.
   */
  public static final String EMAIL_SENDS = "relay-send-email";

  public static final String SMS_SENDS = "relay-send-sms";

  /** The scheduled audit verifier (its workflow and activity), apart from deliveries. */
  public static final String AUDIT = "relay-audit";

  public static String sends(Channel channel) {
    return channel == Channel.SMS ? SMS_SENDS : EMAIL_SENDS;
  }

  private TaskQueues() {}
}
