package dev.relay.worker;

import dev.relay.contracts.Channel;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The send queues ({@code relay.worker.sends.*}): one Temporal task queue per channel
 * ({@code TaskQueues.sends(channel)}) that carries only that channel's sends.
 *
 * <p>{@code rate-per-second} is the provider's rate for the whole deployment: the Temporal server
 * enforces it on the task queue across every worker process that polls it (the per-process
 * limiter of {@code relay.routing} only holds per process). Every worker should set the same
 * value: the server keeps the one its latest poller sent. 0 means unlimited.
 *
 * @param email the email send queue; defaults: 100 sends/s, 20 slots, 2 pollers
 * @param sms the SMS send queue; defaults: 10 sends/s (a Twilio long code's order of magnitude),
 *     10 slots, 2 pollers
 */
@ConfigurationProperties(prefix = "relay.worker.sends")
public record SendQueueProperties(SendQueue email, SendQueue sms) {

  public SendQueueProperties {
    email = SendQueue.orDefaults(email, new SendQueue(100.0, 20, 2));
    sms = SendQueue.orDefaults(sms, new SendQueue(10.0, 10, 2));
  }

  public SendQueue forChannel(Channel channel) {
    return channel == Channel.SMS ? sms : email;
  }

  /**
   * One send queue's worker. Unset values take the channel's default.
   *
   * @param ratePerSecond activity tasks the server hands out per second on this queue, to all
   *     workers together; 0 for no limit
   * @param maxConcurrentActivities sends this process runs at once from this queue
   * @param pollers concurrent long polls this process keeps on this queue
   */
  public record SendQueue(Double ratePerSecond, Integer maxConcurrentActivities,
      Integer pollers) {

    public SendQueue {
      if (ratePerSecond != null && (ratePerSecond < 0 || ratePerSecond.isNaN())) {
        throw new IllegalArgumentException("rate-per-second must be >= 0 (0: unlimited), was "
            + ratePerSecond);
      }
      if (maxConcurrentActivities != null && maxConcurrentActivities < 1) {
        throw new IllegalArgumentException("max-concurrent-activities must be >= 1");
      }
      if (pollers != null && pollers < 1) {
        throw new IllegalArgumentException("pollers must be >= 1");
      }
    }

    /** Whether the server limits this queue's rate. */
    public boolean rateLimited() {
      return ratePerSecond != null && ratePerSecond > 0;
    }

    static SendQueue orDefaults(SendQueue given, SendQueue defaults) {
      if (given == null) {
        return defaults;
      }
      return new SendQueue(
          given.ratePerSecond != null ? given.ratePerSecond : defaults.ratePerSecond,
          given.maxConcurrentActivities != null
              ? given.maxConcurrentActivities : defaults.maxConcurrentActivities,
          given.pollers != null ? given.pollers : defaults.pollers);
    }
  }
}
