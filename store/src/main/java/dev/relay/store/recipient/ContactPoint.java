package dev.relay.store.recipient;

/**
 * A way to reach a recipient on one channel.
 *
 * @param channel "EMAIL" or "SMS"
 * @param verified the tenant says it is verified (its attestation: Relay did not check it)
 * @param suppressedReason set when sends must stop (hard bounce, opt-out, invalid number)
 * @param relayVerified Relay verified it itself (a code it sent came back); never set by a PUT
 */
public record ContactPoint(String channel, String address, boolean verified,
    String suppressedReason, boolean relayVerified) {

  /** A contact point as a client states it: not verified by Relay. */
  public ContactPoint(String channel, String address, boolean verified, String suppressedReason) {
    this(channel, address, verified, suppressedReason, false);
  }

  /** Who vouches for the contact point: "relay", "tenant", or null when nobody does. */
  public String attestation() {
    return relayVerified ? "relay" : verified ? "tenant" : null;
  }
}
