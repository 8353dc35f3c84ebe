package dev.relay.api.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code relay.auth.*}: how API keys are checked.
 *
 * @param failureLimit failed authentications one client address may make per
 *     {@code failureWindow} before every request from it is answered 429 (brute-force guard)
 * @param failureWindow the window the limit refills over (greedily)
 * @param trackedClients how many client addresses the guard remembers at once (memory bound)
 * @param lastUseInterval how often a key's {@code lastUsedAt} is written at most (a write per
 *     request would put the database on every call's path)
 * @param maxRotationOverlap the longest an old key may keep working after a rotation
 */
@ConfigurationProperties("relay.auth")
public record AuthProperties(
    @DefaultValue("20") int failureLimit,
    @DefaultValue("1m") Duration failureWindow,
    @DefaultValue("10000") int trackedClients,
    @DefaultValue("1m") Duration lastUseInterval,
    @DefaultValue("30d") Duration maxRotationOverlap) {

  public AuthProperties {
    if (failureLimit < 1) {
      throw new IllegalArgumentException("relay.auth.failure-limit must be at least 1");
    }
    if (failureWindow == null || failureWindow.isNegative() || failureWindow.isZero()) {
      throw new IllegalArgumentException("relay.auth.failure-window must be a positive duration");
    }
    trackedClients = Math.max(100, trackedClients);
    lastUseInterval = lastUseInterval == null ? Duration.ofMinutes(1) : lastUseInterval;
    maxRotationOverlap = maxRotationOverlap == null ? Duration.ofDays(30) : maxRotationOverlap;
  }
}
