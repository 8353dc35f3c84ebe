package dev.relay.api.limits;

import dev.relay.api.config.LimitsProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.store.limits.QuotaExceededException;
import dev.relay.store.limits.RateLimitBucketRepository;
import dev.relay.store.limits.TenantLimitsRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.RemoteBucketBuilder;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * The request rate limits of each tenant: a Bucket4j bucket per API key and one per tenant, both
 * kept in PostgreSQL ({@link PostgresProxyManager}) so they hold across API instances. A request
 * takes a token from its key's bucket, then from its tenant's; an empty bucket answers 429. Each
 * bucket holds {@code q} tokens and refills all of them every {@code w} seconds (a window that
 * starts at the bucket's first use).
 *
 * <p>Also the tenants' effective limits (settings cached per instance for
 * {@code relay.limits.settings-cache}) and the 429 of a delivery quota.
 */
@Component
public class RateLimits {
  public static final String RATE_LIMIT = "RateLimit";
  public static final String RATE_LIMIT_POLICY = "RateLimit-Policy";
  static final Duration PURGE_EVERY = Duration.ofMinutes(10);
  private static final Logger log = LoggerFactory.getLogger(RateLimits.class);

  private final LimitsProperties properties;
  private final TenantLimitsRepository settings;
  private final ProxyManager<String> buckets;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Map<String, BucketProxy> proxies = new ConcurrentHashMap<>();
  private final RateLimitBucketRepository bucketStore;
  /** When this instance last deleted expired bucket rows (System.nanoTime). */
  private final AtomicLong lastPurge = new AtomicLong(System.nanoTime());

  public RateLimits(LimitsProperties properties, TenantLimitsRepository settings,
      RateLimitBucketRepository bucketStore) {
    this.properties = properties;
    this.settings = settings;
    this.bucketStore = bucketStore;
    this.buckets = new PostgresProxyManager(bucketStore);
  }

  /** The state of one limit after a request: what the RateLimit headers say about it. */
  public record PolicyState(String name, long quota, long windowSeconds, long remaining,
      long resetSeconds) {}

  private record Cached(EffectiveLimits limits, long loadedAtNanos) {}

  public boolean enabled() {
    return properties.enabled();
  }

  /** The tenant's limits as they apply now (cached for {@code relay.limits.settings-cache}). */
  public EffectiveLimits limits(String tenantId) {
    long now = System.nanoTime();
    Cached c = cache.get(tenantId);
    if (c == null || now - c.loadedAtNanos() > properties.settingsCache().toNanos()) {
      c = new Cached(EffectiveLimits.of(settings.find(tenantId), properties), now);
      if (cache.size() > properties.trackedBuckets()) {
        cache.clear();
      }
      cache.put(tenantId, c);
    }
    return c.limits();
  }

  /** Forgets the cached settings of a tenant (after this instance changed them). */
  public void invalidate(String tenantId) {
    cache.remove(tenantId);
  }

  /**
   * Takes one request from the caller's key and tenant buckets.
   *
   * @return both limits' states, for the RateLimit headers
   * @throws ApiProblem 429 naming the limit that is used up (its headers included)
   */
  public List<PolicyState> take(ApiKeyPrincipal caller) {
    EffectiveLimits limits = limits(caller.tenantId());
    String keyId = caller.keyId() != null ? caller.keyId() : "name:" + caller.name();
    PolicyState key = take("key", "key:" + caller.tenantId() + ":" + keyId,
        limits.requestsPerKey(), limits.windowSeconds(),
        "API key " + (caller.keyId() != null ? caller.keyId() : "'" + caller.name() + "'"));
    PolicyState tenant = take("tenant", "tenant:" + caller.tenantId(),
        limits.requestsPerTenant(), limits.windowSeconds(), "tenant " + caller.tenantId());
    return List.of(key, tenant);
  }

  private PolicyState take(String name, String bucketKey, int quota, int windowSeconds,
      String who) {
    // The size is part of the key: a changed limit starts a fresh bucket.
    String id = bucketKey + ":" + quota + "/" + windowSeconds;
    BucketProxy bucket = proxy(id, quota, windowSeconds);
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    long reset = seconds(probe.isConsumed() ? probe.getNanosToWaitForReset()
        : probe.getNanosToWaitForRefill());
    PolicyState state = new PolicyState(name, quota, windowSeconds, probe.getRemainingTokens(),
        reset);
    if (!probe.isConsumed()) {
      String scope = "key".equals(name) ? "per API key" : "per tenant (all its keys together)";
      throw limitProblem(state, Instant.now().plusSeconds(reset), reset,
          "The request rate limit " + scope + " of " + quota + " requests per " + windowSeconds
              + " s is used up for " + who + "; retry after " + reset + " s (Retry-After), "
              + "spread requests out, or ask an admin to raise it (PUT /v1/settings/limits, "
              + ("key".equals(name) ? "requestsPerKey" : "requestsPerTenant") + ")");
    }
    return state;
  }

  private BucketProxy proxy(String id, int quota, int windowSeconds) {
    BucketProxy known = proxies.get(id);
    if (known != null) {
      return known;
    }
    if (proxies.size() >= properties.trackedBuckets()) {
      proxies.clear();
    }
    purgeNowAndThen();
    return proxies.computeIfAbsent(id, k -> {
      BucketConfiguration config = BucketConfiguration.builder()
          .addLimit(Bandwidth.builder().capacity(quota)
              .refillIntervally(quota, Duration.ofSeconds(windowSeconds)).build())
          .build();
      RemoteBucketBuilder<String> builder = buckets.builder();
      if (properties.batching()) {
        builder = builder.withOptimization(Optimizations.batching());
      }
      return builder.build(k, () -> config);
    });
  }

  /**
   * Rows of buckets nobody uses any more (a key gone, a limit changed) expire but stay; at most
   * every {@link #PURGE_EVERY}, off the request thread, this instance deletes a bounded number.
   */
  private void purgeNowAndThen() {
    long last = lastPurge.get();
    long now = System.nanoTime();
    if (now - last > PURGE_EVERY.toNanos() && lastPurge.compareAndSet(last, now)) {
      CompletableFuture.runAsync(() -> {
        try {
          bucketStore.purgeExpired(1000);
        } catch (RuntimeException e) {
          log.debug("purging expired rate-limit buckets failed: {}", e.toString());
        }
      });
    }
  }

  /** The 429 of a delivery quota that the request would exceed. */
  public ApiProblem quotaExceeded(QuotaExceededException e) {
    String name = e.channel().toLowerCase() + "-" + e.period().adjective();
    long reset = Math.max(1, Duration.between(Instant.now(), e.resetsAt()).toSeconds());
    PolicyState state = new PolicyState(name, e.limit(), e.period().nominalSeconds(),
        Math.max(0, e.limit() - e.used()), reset);
    String field = e.channel().toLowerCase() + (e.period().adjective().equals("daily")
        ? "Daily" : "Monthly");
    return limitProblem(state, e.resetsAt(), reset,
        "The " + e.period().adjective() + " " + e.channel() + " delivery quota of " + e.limit()
            + " is used up (" + e.used() + " counted this " + e.period().dbValue() + " (UTC), "
            + e.requested() + " more asked); nothing was accepted. It resets at " + e.resetsAt()
            + "; an admin can raise it (PUT /v1/settings/limits, " + field + ")");
  }

  private static ApiProblem limitProblem(PolicyState state, Instant resetsAt, long retryAfter,
      String detail) {
    HttpHeaders h = new HttpHeaders();
    h.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter)));
    h.set(RATE_LIMIT_POLICY, policyHeader(List.of(state)));
    h.set(RATE_LIMIT, stateHeader(List.of(state)));
    Map<String, Object> limit = new LinkedHashMap<>();
    limit.put("name", state.name());
    limit.put("quota", state.quota());
    limit.put("windowSeconds", state.windowSeconds());
    limit.put("remaining", state.remaining());
    limit.put("resetsAt", resetsAt.toString());
    return new ApiProblem(ProblemType.TOO_MANY_REQUESTS, detail, List.of(), h,
        Map.of("limit", limit));
  }

  /** {@code "key";q=100;w=60, "tenant";q=1000;w=60} (draft-ietf-httpapi-ratelimit-headers). */
  public static String policyHeader(List<PolicyState> states) {
    StringBuilder sb = new StringBuilder();
    for (PolicyState s : states) {
      sb.append(sb.isEmpty() ? "" : ", ").append('"').append(s.name()).append("\";q=")
          .append(s.quota()).append(";w=").append(s.windowSeconds());
    }
    return sb.toString();
  }

  /** {@code "key";r=57;t=12, "tenant";r=900;t=12}. */
  public static String stateHeader(List<PolicyState> states) {
    StringBuilder sb = new StringBuilder();
    for (PolicyState s : states) {
      sb.append(sb.isEmpty() ? "" : ", ").append('"').append(s.name()).append("\";r=")
          .append(s.remaining()).append(";t=").append(s.resetSeconds());
    }
    return sb.toString();
  }

  private static long seconds(long nanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L));
  }
}
