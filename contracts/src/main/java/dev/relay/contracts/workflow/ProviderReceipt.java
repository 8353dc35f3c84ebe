package dev.relay.contracts.workflow;

import java.time.Instant;

/**
 * A delivery receipt from a provider (Twilio status callback), signalled to the workflow after
 * the API has verified and persisted it.
 *
 * @param status the provider's status word: {@code delivered}, {@code undelivered}, {@code
 *     failed}, or an intermediate one ({@code queued}, {@code sent}) that the workflow ignores
 */
public record ProviderReceipt(
    String providerMessageId, String status, String errorCode, Instant receivedAt) {

  public boolean delivered() {
    return "delivered".equalsIgnoreCase(status) || "read".equalsIgnoreCase(status);
  }

  public boolean failed() {
    return "undelivered".equalsIgnoreCase(status) || "failed".equalsIgnoreCase(status);
  }
}
