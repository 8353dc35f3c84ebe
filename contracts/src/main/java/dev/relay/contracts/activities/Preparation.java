package dev.relay.contracts.activities;

import dev.relay.contracts.DeliveryErrorType;

/**
 * What {@link PreparationActivities#prepareChannel} found, stopping at the first refusal:
 *
 * <ul>
 *   <li>{@code identity} always; when not verified, nothing else was looked at;
 *   <li>{@code consent} when the identity was verified; when not granted, no payload was made;
 *   <li>{@code payload} when consent was granted and the payload rendered, else
 *       {@code payloadFailure} and {@code payloadProblem} say why it cannot be (a permanent
 *       template, variable or document error).
 * </ul>
 */
public record Preparation(
    IdentityCheck identity,
    ConsentDecision consent,
    PreparedPayload payload,
    DeliveryErrorType payloadFailure,
    String payloadProblem) {

  public static Preparation unverified(IdentityCheck identity) {
    return new Preparation(identity, null, null, null, null);
  }

  public static Preparation refused(IdentityCheck identity, ConsentDecision consent) {
    return new Preparation(identity, consent, null, null, null);
  }

  public static Preparation ready(IdentityCheck identity, ConsentDecision consent,
      PreparedPayload payload) {
    return new Preparation(identity, consent, payload, null, null);
  }

  public static Preparation unrenderable(IdentityCheck identity, ConsentDecision consent,
      DeliveryErrorType failure, String problem) {
    return new Preparation(identity, consent, null, failure, problem);
  }
}
