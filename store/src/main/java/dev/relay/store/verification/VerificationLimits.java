package dev.relay.store.verification;

import java.time.Duration;

/**
 * How contact verifications are bounded (NIST SP 800-63B, 5.1.3: short-lived, single use,
 * throttled).
 *
 * @param ttl how long a code is good for
 * @param maxAttempts wrong codes before the verification locks
 * @param perWindow verifications started per contact point per {@code window}: each one is an
 *     SMS Relay pays for, so this is a pumping limit as much as a brute-force one
 * @param repeatWithin a start this soon after the previous live one of the same contact point
 *     answers that one again instead of texting a second code (a double POST sends one SMS)
 */
public record VerificationLimits(Duration ttl, int maxAttempts, int perWindow, Duration window,
    Duration repeatWithin) {

  /** 10 minutes, 5 tries, 3 per hour, a repeat within 60 s is the same verification. */
  public static VerificationLimits standard() {
    return new VerificationLimits(Duration.ofMinutes(10), 5, 3, Duration.ofHours(1),
        Duration.ofSeconds(60));
  }
}
