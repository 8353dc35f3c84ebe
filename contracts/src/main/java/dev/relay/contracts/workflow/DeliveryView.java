package dev.relay.contracts.workflow;

import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryStatus;
import java.util.List;

/**
 * The current state of a delivery: the query result, the update result and the workflow result.
 *
 * @param channel the channel in use or last used (null before the first one is chosen)
 * @param attempts send rounds started so far, across channels
 * @param reason why the delivery is where it is (rejection, failure, support reason)
 * @param providerMessageId the provider's ID of the last accepted send, if any
 * @param delayed whether the delivery was still not final {@link DeliveryPolicy#delayNotice()}
 *     before its deadline (stays true once set, also after it ends)
 */
public record DeliveryView(
    String deliveryId,
    DeliveryStatus status,
    Channel channel,
    int attempts,
    String reason,
    String providerMessageId,
    List<TimelineEntry> timeline,
    boolean delayed) {

  /** A view without the delay flag, as before it existed. */
  public DeliveryView(String deliveryId, DeliveryStatus status, Channel channel, int attempts,
      String reason, String providerMessageId, List<TimelineEntry> timeline) {
    this(deliveryId, status, channel, attempts, reason, providerMessageId, timeline, false);
  }
}
