package dev.relay.store.limits;

import java.time.Instant;

/**
 * A delivery quota would be exceeded: nothing was counted and (thrown inside the accepting
 * transaction) nothing was written.
 *
 * @param requested how many deliveries the request wanted to count on this channel
 * @param used how many the period has counted so far
 */
public class QuotaExceededException extends RuntimeException {
  private final String channel;
  private final QuotaPeriod period;
  private final long limit;
  private final long used;
  private final long requested;
  private final Instant resetsAt;

  public QuotaExceededException(String channel, QuotaPeriod period, long limit, long used,
      long requested, Instant resetsAt) {
    super(channel + " " + period.adjective() + " quota of " + limit + " reached (used " + used
        + ", asked " + requested + ")");
    this.channel = channel;
    this.period = period;
    this.limit = limit;
    this.used = used;
    this.requested = requested;
    this.resetsAt = resetsAt;
  }

  public String channel() {
    return channel;
  }

  public QuotaPeriod period() {
    return period;
  }

  public long limit() {
    return limit;
  }

  public long used() {
    return used;
  }

  public long requested() {
    return requested;
  }

  public Instant resetsAt() {
    return resetsAt;
  }
}
