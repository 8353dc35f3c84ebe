package dev.relay.store.recipient;

/**
 * A way to reach a recipient on one channel.
 *
 * @param channel "EMAIL" or "SMS"
 * @param suppressedReason set when sends must stop (hard bounce, opt-out, invalid number)
 */
public record ContactPoint(String channel, String address, boolean verified, String suppressedReason) {}
