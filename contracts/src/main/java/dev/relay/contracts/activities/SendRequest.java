package dev.relay.contracts.activities;

import dev.relay.contracts.Channel;

/**
 * One try of one send.
 *
 * @param sendKey the ledger key: delivery, channel and round ({@link dev.relay.contracts.DeliveryIds#sendKey})
 * @param round the workflow's send round (a new round only after a failed round or a support action)
 * @param tryNumber the try within the round (1-based), for audit and metrics
 * @param address the verified contact point
 * @param pending bookkeeping to write first (lean path; empty otherwise)
 * @param onAccept what to record with an acceptance (lean path; null otherwise)
 */
public record SendRequest(
    String tenantId,
    String deliveryId,
    Channel channel,
    String sendKey,
    int round,
    int tryNumber,
    String address,
    PreparedPayload payload,
    AuditBatch pending,
    AcceptRecord onAccept) {

  public SendRequest {
    pending = AuditBatch.orEmpty(pending);
  }

  /** A try as sent before the lean path: nothing to write besides the send itself. */
  public SendRequest(String tenantId, String deliveryId, Channel channel, String sendKey, int round,
      int tryNumber, String address, PreparedPayload payload) {
    this(tenantId, deliveryId, channel, sendKey, round, tryNumber, address, payload, null, null);
  }
}
