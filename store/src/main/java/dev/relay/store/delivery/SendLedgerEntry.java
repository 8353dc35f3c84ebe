package dev.relay.store.delivery;

/**
 * @param state SENDING (the provider may have been called), SENT (accepted, id known) or FAILED
 *     (the provider refused; a new try may go)
 */
public record SendLedgerEntry(
    String sendKey,
    String tenantId,
    String deliveryId,
    String channel,
    int round,
    String state,
    String provider,
    String providerMessageId,
    int tries,
    String lastError) {

  public boolean sent() {
    return "SENT".equals(state);
  }

  public boolean inFlight() {
    return "SENDING".equals(state);
  }
}
