package dev.relay.activities.channels;

import dev.relay.contracts.activities.SendRequest;

/**
 * One provider of a channel (an SMTP relay, Twilio, ...), known by a configured name. Providers
 * only talk to their service: the send ledger, routing, circuit breakers and rate limits sit in
 * front of them ({@link LedgeredSend}, {@link dev.relay.activities.channels.routing}).
 *
 * @param <C> what one send carries on this channel, loaded and checked before any provider is
 *     called
 */
public interface ChannelProvider<C> {

  /** The configured name; it is what the send ledger, audit trail and metrics record. */
  String name();

  /**
   * Hands the message to the provider and returns the provider's message ID.
   *
   * @param earlierTryInDoubt an earlier try of this send key may have reached a provider
   * @throws SendFailure classified by the provider's {@link FailureTable}
   */
  String send(SendRequest request, C content, boolean earlierTryInDoubt) throws SendFailure;

  /**
   * Whether this provider resolves an earlier try in doubt before sending again (Twilio: looks
   * the message up). When it cannot, a send after an ambiguous try is a possible duplicate.
   */
  default boolean reconcilesInDoubt() {
    return false;
  }
}
