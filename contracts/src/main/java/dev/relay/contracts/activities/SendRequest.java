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
 * @param recipientId the delivery's recipient, so a send need not read the delivery row (null
 *     in tries recorded before it was carried: the send then reads it)
 * @param purpose the delivery's purpose (null likewise)
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
    AcceptRecord onAccept,
    String recipientId,
    String purpose) {

  public SendRequest {
    pending = AuditBatch.orEmpty(pending);
  }

  /** A try as sent before the lean path: nothing to write besides the send itself. */
  public SendRequest(String tenantId, String deliveryId, Channel channel, String sendKey, int round,
      int tryNumber, String address, PreparedPayload payload) {
    this(tenantId, deliveryId, channel, sendKey, round, tryNumber, address, payload, null, null,
        null, null);
  }

  /** A try without the delivery's recipient and purpose (a send then reads them if needed). */
  public SendRequest(String tenantId, String deliveryId, Channel channel, String sendKey, int round,
      int tryNumber, String address, PreparedPayload payload, AuditBatch pending,
      AcceptRecord onAccept) {
    this(tenantId, deliveryId, channel, sendKey, round, tryNumber, address, payload, pending,
        onAccept, null, null);
  }

  /** The same try carrying another batch and acceptance record (the lean path fills them in). */
  public SendRequest withLean(AuditBatch pending, AcceptRecord onAccept) {
    return new SendRequest(tenantId, deliveryId, channel, sendKey, round, tryNumber, address,
        payload, pending, onAccept, recipientId, purpose);
  }
}
