package dev.relay.contracts.activities;

/**
 * @param provider the provider that took the message (e.g. "smtp", "twilio")
 * @param providerMessageId the SMTP Message-ID or the Twilio message SID
 * @param fromLedger true when the ledger already had this send and the provider was not called
 */
public record SendResult(String provider, String providerMessageId, boolean fromLedger) {

  /**
   * The audit detail of an accepted try, the same whether the workflow (legacy) or the send
   * itself (lean) records it: audit readers match this text.
   */
  public String acceptedDetail(int tryNumber) {
    return "try " + tryNumber + " accepted by " + provider
        + (fromLedger ? " (from send ledger)" : "");
  }
}
