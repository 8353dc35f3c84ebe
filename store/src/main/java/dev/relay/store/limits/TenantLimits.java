package dev.relay.store.limits;

import java.time.Instant;

/**
 * What an admin set for one tenant; a null field means "the configured default".
 *
 * @param windowSeconds the window both request limits refill over
 */
public record TenantLimits(
    Integer requestsPerKey,
    Integer requestsPerTenant,
    Integer windowSeconds,
    Long emailDaily,
    Long emailMonthly,
    Long smsDaily,
    Long smsMonthly,
    Instant updatedAt,
    String updatedBy) {

  /** Nothing set: every limit is the default. */
  public static final TenantLimits NONE =
      new TenantLimits(null, null, null, null, null, null, null, null, null);
}
