package dev.relay.contracts.activities;

import dev.relay.contracts.DeliveryErrorType;

/**
 * @param version the consent version the decision used (0 when the recipient never gave one)
 * @param failure CONSENT_MISSING or CONSENT_WITHDRAWN when not granted
 */
public record ConsentDecision(boolean granted, int version, DeliveryErrorType failure, String reason) {

  public static ConsentDecision granted(int version) {
    return new ConsentDecision(true, version, null, null);
  }

  public static ConsentDecision denied(int version, DeliveryErrorType failure, String reason) {
    return new ConsentDecision(false, version, failure, reason);
  }
}
