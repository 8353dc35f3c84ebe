package dev.relay.api.limits;

import dev.relay.store.limits.RateLimitBucketRepository;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AbstractCompareAndSwapBasedProxyManager;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AsyncCompareAndSwapOperation;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.CompareAndSwapOperation;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A Bucket4j proxy manager over Relay's {@code rate_limit_buckets} table: Bucket4j reads a
 * bucket's state, applies the command (try to consume a token) in this process, and writes the
 * new state back only if nobody changed it meanwhile (compare-and-swap), else retries. Every API
 * instance on the same database sees the same buckets, so a limit holds across instances.
 *
 * <p>Cost per command: one primary-key SELECT and one primary-key UPDATE (or INSERT for a new
 * bucket), each in autocommit; no lock is held between them. Rows expire when their bucket would
 * be full again (plus a margin), so idle keys leave nothing behind that matters.
 */
public class PostgresProxyManager extends AbstractCompareAndSwapBasedProxyManager<String> {
  /** Keep a bucket this long after it would be full again: a full bucket needs no row. */
  static final Duration KEEP_AFTER_FULL = Duration.ofSeconds(5);
  private final RateLimitBucketRepository buckets;
  private final ExpirationAfterWriteStrategy expiration;

  public PostgresProxyManager(RateLimitBucketRepository buckets) {
    this(buckets, ClientSideConfig.getDefault());
  }

  public PostgresProxyManager(RateLimitBucketRepository buckets, ClientSideConfig config) {
    super(config.withExpirationAfterWriteStrategy(
        ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_FULL)));
    this.buckets = buckets;
    this.expiration = getClientSideConfig().getExpirationAfterWriteStrategy().orElseThrow();
  }

  @Override
  protected CompareAndSwapOperation beginCompareAndSwapOperation(String key) {
    return new CompareAndSwapOperation() {
      @Override
      public Optional<byte[]> getStateData(Optional<Long> timeoutNanos) {
        return buckets.read(key);
      }

      @Override
      public boolean compareAndSwap(byte[] originalData, byte[] newData,
          RemoteBucketState newState, Optional<Long> timeoutNanos) {
        long ttl = expiration.calculateTimeToLiveMillis(newState, currentTimeNanos());
        return buckets.compareAndSwap(key, originalData, newData, Math.max(1_000L, ttl));
      }
    };
  }

  @Override
  protected AsyncCompareAndSwapOperation beginAsyncCompareAndSwapOperation(String key) {
    throw new UnsupportedOperationException("Relay uses the synchronous API only");
  }

  /** Rows carry {@code expires_at}: an expired bucket reads as absent (full). */
  @Override
  public boolean isExpireAfterWriteSupported() {
    return true;
  }

  @Override
  public boolean isAsyncModeSupported() {
    return false;
  }

  @Override
  public void removeProxy(String key) {
    buckets.remove(key);
  }

  @Override
  protected CompletableFuture<Void> removeAsync(String key) {
    buckets.remove(key);
    return CompletableFuture.completedFuture(null);
  }
}
