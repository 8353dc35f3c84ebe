package dev.relay.api.limits;

import dev.relay.api.config.LimitsProperties;
import dev.relay.store.limits.ChannelQuota;
import dev.relay.store.limits.TenantLimits;
import java.util.Map;

/** A tenant's limits as they apply: what the tenant set, else the configured default. */
public record EffectiveLimits(int requestsPerKey, int requestsPerTenant, int windowSeconds,
    ChannelQuota email, ChannelQuota sms) {

  static EffectiveLimits of(TenantLimits set, LimitsProperties defaults) {
    return new EffectiveLimits(
        or(set.requestsPerKey(), defaults.requestsPerKey()),
        or(set.requestsPerTenant(), defaults.requestsPerTenant()),
        or(set.windowSeconds(), (int) defaults.window().toSeconds()),
        new ChannelQuota(or(set.emailDaily(), defaults.emailDaily()),
            or(set.emailMonthly(), defaults.emailMonthly())),
        new ChannelQuota(or(set.smsDaily(), defaults.smsDaily()),
            or(set.smsMonthly(), defaults.smsMonthly())));
  }

  /** Channel name → its quotas. */
  public Map<String, ChannelQuota> quotas() {
    return Map.of("EMAIL", email, "SMS", sms);
  }

  private static int or(Integer v, int d) {
    return v == null ? d : v;
  }

  private static long or(Long v, long d) {
    return v == null ? d : v;
  }
}
