package dev.relay.store.sms;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * A tenant's effective SMS policy: the configured defaults ({@code relay.sms-guard.*}) with the
 * tenant's own settings over them.
 *
 * @param allowedRegions ISO 3166 region codes SMS may go to; empty: every region (and numbers
 *     are not checked beyond their E.164 form)
 * @param maxSegments most segments one rendered SMS may cost
 * @param recipientLimit SMS per number per {@code recipientWindow}; 0: no limit
 * @param prefixLimit SMS per number prefix per {@code prefixWindow} before the tenant's SMS is
 *     paused (a burst); 0: no limit
 * @param prefixDigits digits of the prefix, country code included
 * @param requiresRelayVerification SMS only to numbers Relay verified itself, not to numbers the
 *     tenant merely attests
 */
public record SmsPolicy(Set<String> allowedRegions, int maxSegments, int recipientLimit,
    Duration recipientWindow, int prefixLimit, Duration prefixWindow, int prefixDigits,
    boolean requiresRelayVerification) {

  public SmsPolicy {
    allowedRegions = allowedRegions == null ? Set.of()
        : Set.copyOf(new TreeSet<>(allowedRegions));
  }

  /** Every region, 4 segments, 10 per number per hour, 1000 per prefix per 10 minutes. */
  public static SmsPolicy standard() {
    return new SmsPolicy(Set.of(), 4, 10, Duration.ofHours(1), 1000, Duration.ofMinutes(10), 6,
        false);
  }

  /** These defaults with what a tenant set (its null fields keep the default). */
  public SmsPolicy with(SmsSettings s) {
    if (s == null) {
      return this;
    }
    return new SmsPolicy(
        s.allowedRegions() != null ? s.allowedRegions() : allowedRegions,
        s.maxSegments() != null ? s.maxSegments() : maxSegments,
        s.recipientLimit() != null ? s.recipientLimit() : recipientLimit,
        s.recipientWindow() != null ? s.recipientWindow() : recipientWindow,
        s.prefixLimit() != null ? s.prefixLimit() : prefixLimit,
        s.prefixWindow() != null ? s.prefixWindow() : prefixWindow,
        s.prefixDigits() != null ? s.prefixDigits() : prefixDigits,
        s.requiresRelayVerification() != null ? s.requiresRelayVerification()
            : requiresRelayVerification);
  }
}
