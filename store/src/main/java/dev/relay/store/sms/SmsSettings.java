package dev.relay.store.sms;

import java.time.Duration;
import java.util.Set;

/**
 * What a tenant set for SMS; a null field means "the configured default".
 */
public record SmsSettings(Set<String> allowedRegions, Integer maxSegments,
    Integer recipientLimit, Duration recipientWindow, Integer prefixLimit, Duration prefixWindow,
    Integer prefixDigits, Boolean requiresRelayVerification) {

  public static final SmsSettings NONE =
      new SmsSettings(null, null, null, null, null, null, null, null);
}
