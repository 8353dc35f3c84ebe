package dev.relay.api.auth;

import dev.relay.api.config.AuthProperties;
import dev.relay.api.problems.ApiProblem;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Slows down key guessing: each client address has a token bucket of failed authentications
 * ({@code relay.auth.failure-limit} per {@code failure-window}). While it is empty, every request
 * from that address is answered 429 before its key is even looked at, so a guess that happens to
 * be right is not revealed either. Successful requests cost nothing.
 *
 * <p>Per API process, in memory: an attacker spread over several API instances gets the limit
 * once per instance, which still turns guessing a 256-bit key from hopeless into more hopeless;
 * what it must not do is touch the database per failure. The map is bounded; when it is full it
 * is cleared, which only ever forgives.
 */
@Component
public class FailedAuthThrottle {
  private static final Logger log = LoggerFactory.getLogger(FailedAuthThrottle.class);

  private final AuthProperties properties;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public FailedAuthThrottle(AuthProperties properties) {
    this.properties = properties;
  }

  /** Throws the 429 problem when {@code client} has used up its failures. */
  public void checkAllowed(String client) {
    Bucket bucket = buckets.get(client);
    if (bucket != null && bucket.getAvailableTokens() < 1) {
      long waitNanos = bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
      throw ApiProblem.tooManyRequests("Too many failed authentications from this address; "
          + "check the API key you send (Authorization: Bearer <api-key>) and retry after the "
          + "time in Retry-After", seconds(waitNanos));
    }
  }

  /** Counts a failed authentication of {@code client}. */
  public void recordFailure(String client) {
    if (buckets.size() >= properties.trackedClients() && !buckets.containsKey(client)) {
      buckets.clear();
    }
    Bucket bucket = buckets.computeIfAbsent(client, c -> Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(properties.failureLimit())
            .refillGreedy(properties.failureLimit(), properties.failureWindow()).build())
        .build());
    if (!bucket.tryConsume(1) || bucket.getAvailableTokens() == 0) {
      log.warn("failed authentications from {} reached {} per {}: answering 429 until it "
          + "refills", client, properties.failureLimit(), properties.failureWindow());
    }
  }

  private static long seconds(long nanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L));
  }
}
