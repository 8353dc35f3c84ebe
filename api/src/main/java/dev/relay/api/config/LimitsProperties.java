package dev.relay.api.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code relay.limits.*}: the defaults of every tenant's limits (an admin can set other values
 * per tenant through {@code PUT /v1/settings/limits}). The defaults are generous on purpose: a
 * local stack, the benchmarks (hundreds of deliveries per second through one tenant) and the
 * tests are never throttled by them. Set them to what each tenant pays for in production.
 *
 * @param enabled false turns request limits and delivery quotas off entirely (no headers, no
 *     database work): for a benchmark that measures Relay without them
 * @param requestsPerKey requests one API key may make per {@code window}
 * @param requestsPerTenant requests all of a tenant's keys together may make per {@code window}
 * @param window the window both request limits refill over (all at once, at its end)
 * @param emailDaily email deliveries a tenant may have accepted per UTC day
 * @param emailMonthly email deliveries per UTC month
 * @param smsDaily SMS deliveries per UTC day
 * @param smsMonthly SMS deliveries per UTC month
 * @param settingsCache how long an API instance uses a tenant's settings before reading them
 *     again: a change through the admin API reaches the instance that made it at once, the others
 *     within this time
 * @param batching let concurrent requests of one API instance on the same bucket share one
 *     database round trip (Bucket4j's batching optimization: still exact)
 * @param trackedBuckets how many bucket proxies an instance keeps in memory (bound; clearing them
 *     forgets nothing, the state is in PostgreSQL)
 */
@ConfigurationProperties("relay.limits")
public record LimitsProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("60000") int requestsPerKey,
    @DefaultValue("120000") int requestsPerTenant,
    @DefaultValue("60s") Duration window,
    @DefaultValue("10000000") long emailDaily,
    @DefaultValue("100000000") long emailMonthly,
    @DefaultValue("1000000") long smsDaily,
    @DefaultValue("10000000") long smsMonthly,
    @DefaultValue("10s") Duration settingsCache,
    @DefaultValue("true") boolean batching,
    @DefaultValue("10000") int trackedBuckets) {

  public LimitsProperties {
    window = window == null ? Duration.ofMinutes(1) : window;
    settingsCache = settingsCache == null ? Duration.ofSeconds(10) : settingsCache;
    if (requestsPerKey < 1 || requestsPerTenant < 1) {
      throw new IllegalArgumentException(
          "relay.limits.requests-per-key and requests-per-tenant must be at least 1");
    }
    if (window.toSeconds() < 1 || window.toSeconds() > 86_400) {
      throw new IllegalArgumentException("relay.limits.window must be 1s to 1d");
    }
    if (emailDaily < 1 || emailMonthly < 1 || smsDaily < 1 || smsMonthly < 1) {
      throw new IllegalArgumentException("relay.limits.*-daily and *-monthly must be at least 1");
    }
    trackedBuckets = Math.max(100, trackedBuckets);
  }
}
