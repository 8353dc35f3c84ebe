package dev.relay.api.config;

import dev.relay.contracts.workflow.DeliveryPolicy;
import dev.relay.store.tenant.Role;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Everything under {@code relay.*}. Every knob has a default that works on a developer machine
 * (Temporal on localhost:7233, no Twilio token, no bootstrap tenants).
 */
@ConfigurationProperties("relay")
public record RelayProperties(
    @DefaultValue Temporal temporal,
    @DefaultValue Twilio twilio,
    @DefaultValue Delivery delivery,
    @DefaultValue Documents documents,
    @DefaultValue Starter starter,
    List<BootstrapTenant> bootstrap) {

  public RelayProperties {
    bootstrap = bootstrap == null ? List.of() : List.copyOf(bootstrap);
  }

  /**
   * @param target the Temporal frontend (host:port)
   * @param actionTimeout how long a support action waits for the workflow's answer
   * @param rpcRetryExpiration how long one call to Temporal is retried while the server cannot be
   *     reached, before the API answers 503 (kept under Twilio's 15 s webhook timeout)
   */
  public record Temporal(
      @DefaultValue("localhost:7233") String target,
      @DefaultValue("default") String namespace,
      @DefaultValue("15s") Duration actionTimeout,
      @DefaultValue("10s") Duration rpcRetryExpiration) {}

  /**
   * @param authToken the Twilio auth token status callbacks are signed with; blank rejects every
   *     callback
   * @param webhookBaseUrl the public base URL Twilio calls (what it signs), without a trailing slash
   */
  public record Twilio(
      @DefaultValue("") String authToken,
      @DefaultValue("http://localhost:8080") String webhookBaseUrl) {}

  /**
   * Timing of each delivery's sends, copied into the workflow input when it starts.
   *
   * @param delayNotice how long before its deadline an unfinished delivery is marked delayed and
   *     the tenant's status webhook told; 0 turns it off
   */
  public record Delivery(
      @DefaultValue("6") int maxSendTries,
      @DefaultValue("200ms") Duration initialBackoff,
      @DefaultValue("2.0") double backoffCoefficient,
      @DefaultValue("30s") Duration maxBackoff,
      @DefaultValue("30s") Duration sendTimeout,
      @DefaultValue("15m") Duration receiptTimeout,
      @DefaultValue("10m") Duration delayNotice) {

    @ConstructorBinding
    public Delivery {
      delayNotice = delayNotice == null ? DeliveryPolicy.DEFAULT_DELAY_NOTICE : delayNotice;
    }

    /** The knobs as they were before the delay notice (which gets its default). */
    public Delivery(int maxSendTries, Duration initialBackoff, double backoffCoefficient,
        Duration maxBackoff, Duration sendTimeout, Duration receiptTimeout) {
      this(maxSendTries, initialBackoff, backoffCoefficient, maxBackoff, sendTimeout,
          receiptTimeout, DeliveryPolicy.DEFAULT_DELAY_NOTICE);
    }

    public DeliveryPolicy policy() {
      return new DeliveryPolicy(maxSendTries, initialBackoff, backoffCoefficient, maxBackoff,
          sendTimeout, receiptTimeout, delayNotice);
    }
  }

  public record Documents(@DefaultValue("10MB") DataSize maxSize) {}

  /**
   * Starting the workflows of accepted deliveries. A POST commits the row and returns; the start
   * is kicked at once on a small bounded pool. What the pool cannot take, or what Temporal could
   * not confirm, is left to the sweeper, which claims unstarted rows every {@code interval}.
   *
   * @param enabled whether this process sweeps for unstarted rows (kicks happen regardless)
   * @param interval time between sweeps
   * @param batchSize rows claimed per sweep query (a sweep repeats while it gets full batches)
   * @param claim how long a kicked or swept row is reserved for this process before any other
   *     process may start it (covers the wait in the kick queue)
   * @param kickThreads concurrent workflow starts (the pacing when Temporal is slow)
   * @param kickQueue starts that may wait for a thread; beyond it, rows go to the sweeper
   * @param backoff the pause after Temporal could not be reached, doubling up to {@code maxBackoff}
   *     while it stays unreachable; during a pause nothing calls Temporal to start
   */
  public record Starter(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("5s") Duration interval,
      @DefaultValue("100") int batchSize,
      @DefaultValue("30s") Duration claim,
      @DefaultValue("4") int kickThreads,
      @DefaultValue("1000") int kickQueue,
      @DefaultValue("1s") Duration backoff,
      @DefaultValue("30s") Duration maxBackoff) {

    @ConstructorBinding
    public Starter {
      // Unsafe values fall back to the defaults rather than stall or flood starts.
      interval = positiveOr(interval, Duration.ofSeconds(5));
      batchSize = batchSize > 0 ? batchSize : 100;
      claim = positiveOr(claim, Duration.ofSeconds(30));
      kickThreads = kickThreads > 0 ? kickThreads : 4;
      kickQueue = kickQueue > 0 ? kickQueue : 1000;
      backoff = positiveOr(backoff, Duration.ofSeconds(1));
      maxBackoff = positiveOr(maxBackoff, Duration.ofSeconds(30));
      if (maxBackoff.compareTo(backoff) < 0) {
        maxBackoff = backoff;
      }
    }

    /** The knobs before kicking existed (the rest get their defaults). */
    public Starter(boolean enabled, Duration interval, int batchSize) {
      this(enabled, interval, batchSize, null, 0, 0, null, null);
    }

    private static Duration positiveOr(Duration value, Duration fallback) {
      return value == null || value.isZero() || value.isNegative() ? fallback : value;
    }
  }

  /** A tenant and its API keys, upserted at startup (local demos and quick starts). */
  public record BootstrapTenant(String id, String name, List<BootstrapKey> keys) {
    public BootstrapTenant {
      keys = keys == null ? List.of() : List.copyOf(keys);
    }
  }

  public record BootstrapKey(String key, Role role, String name) {}
}
