package dev.relay.contracts.activities;

import dev.relay.contracts.Channel;

/**
 * One try of one send.
 *
 * @param sendKey the ledger key: delivery, channel and round ({@link dev.relay.contracts.DeliveryIds#sendKey})
 * @param round the workflow's send round (a new round only after a failed round or a support action)
 * @param tryNumber the try within the round (1-based), for audit and metrics
 * @param address the verified contact point
 */
public record SendRequest(
    String tenantId,
    String deliveryId,
    Channel channel,
    String sendKey,
    int round,
    int tryNumber,
    String address,
    PreparedPayload payload) {}
