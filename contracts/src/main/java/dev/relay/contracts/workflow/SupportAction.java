package dev.relay.contracts.workflow;

import dev.relay.contracts.Channel;

/**
 * A support action on a delivery, sent as a Temporal Update. Every action names who took it
 * and why; both end up in the audit trail.
 *
 * @param channel for {@code reroute}: the channel to use instead
 * @param evidence for {@code markDelivered}: what proves the recipient got it
 */
public record SupportAction(String actor, String reason, Channel channel, String evidence) {

  public static SupportAction of(String actor, String reason) {
    return new SupportAction(actor, reason, null, null);
  }
}
