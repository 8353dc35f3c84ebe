package dev.relay.store.limits;

/** A channel's delivery quotas: at most {@code daily} per UTC day and {@code monthly} per UTC month. */
public record ChannelQuota(long daily, long monthly) {
  public long limit(QuotaPeriod period) {
    return period == QuotaPeriod.DAY ? daily : monthly;
  }
}
