package dev.relay.contracts.workflow;

import java.time.Duration;

/**
 * The timing knobs of one delivery, fixed when it is accepted so that a configuration change
 * never alters a running workflow's history. Built from typed configuration by the API.
 *
 * @param maxSendTries tries per send round on a transient provider error (the first included)
 * @param initialBackoff wait before the second try; each later wait doubles, with jitter
 * @param maxBackoff the longest wait between two tries
 * @param sendTimeout StartToClose of one send activity (one call to the provider)
 * @param receiptTimeout how long an SMS waits for the provider's delivery receipt
 * @param delayNotice how long before its deadline a delivery that is still not final is marked
 *     delayed and the client notified; zero turns the notice off. Null (a policy recorded before
 *     this knob existed) means {@link #DEFAULT_DELAY_NOTICE}.
 */
public record DeliveryPolicy(
    int maxSendTries,
    Duration initialBackoff,
    double backoffCoefficient,
    Duration maxBackoff,
    Duration sendTimeout,
    Duration receiptTimeout,
    Duration delayNotice) {

  public static final Duration DEFAULT_DELAY_NOTICE = Duration.ofMinutes(10);

  public static DeliveryPolicy defaults() {
    return new DeliveryPolicy(
        6, Duration.ofMillis(200), 2.0, Duration.ofSeconds(30), Duration.ofSeconds(30),
        Duration.ofMinutes(15));
  }

  /** The policy as it was before the delay notice: the notice gets its default. */
  public DeliveryPolicy(int maxSendTries, Duration initialBackoff, double backoffCoefficient,
      Duration maxBackoff, Duration sendTimeout, Duration receiptTimeout) {
    this(maxSendTries, initialBackoff, backoffCoefficient, maxBackoff, sendTimeout, receiptTimeout,
        DEFAULT_DELAY_NOTICE);
  }

  public DeliveryPolicy {
    delayNotice = delayNotice == null ? DEFAULT_DELAY_NOTICE : delayNotice;
    if (delayNotice.isNegative()) {
      throw new IllegalArgumentException("delayNotice must not be negative");
    }
    if (maxSendTries < 1) {
      throw new IllegalArgumentException("maxSendTries must be at least 1");
    }
    if (backoffCoefficient < 1.0) {
      throw new IllegalArgumentException("backoffCoefficient must be at least 1.0");
    }
  }
}
