package dev.relay.contracts.activities;

import dev.relay.contracts.DeliveryErrorType;

/**
 * @param version the consent version the decision used (0 when the recipient never gave one)
 * @param failure CONSENT_MISSING or CONSENT_WITHDRAWN when not granted
 * @param degraded true when the consent store was unreachable and the decision came from the
 *     worker's cache of recent decisions (bounded age); the workflow marks it in the audit trail
 */
public record ConsentDecision(
    boolean granted, int version, DeliveryErrorType failure, String reason, boolean degraded) {

  public ConsentDecision(boolean granted, int version, DeliveryErrorType failure, String reason) {
    this(granted, version, failure, reason, false);
  }

  public static ConsentDecision granted(int version) {
    return new ConsentDecision(true, version, null, null);
  }

  public static ConsentDecision denied(int version, DeliveryErrorType failure, String reason) {
    return new ConsentDecision(false, version, failure, reason);
  }

  /** The same decision, served from cache while the store is unreachable. */
  public ConsentDecision servedDegraded(String why) {
    return new ConsentDecision(granted, version, failure, reason == null ? why : reason + "; " + why,
        true);
  }
}
