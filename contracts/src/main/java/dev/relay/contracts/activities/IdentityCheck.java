package dev.relay.contracts.activities;

import dev.relay.contracts.DeliveryErrorType;

/**
 * The outcome of an identity check.
 *
 * @param failure why it failed (null when verified)
 * @param address the verified contact point (email address or E.164 number) when verified
 */
public record IdentityCheck(boolean verified, DeliveryErrorType failure, String reason, String address) {

  public static IdentityCheck ok(String address) {
    return new IdentityCheck(true, null, null, address);
  }

  public static IdentityCheck failed(DeliveryErrorType failure, String reason) {
    return new IdentityCheck(false, failure, reason, null);
  }
}
