package dev.relay.contracts.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Outbound sends. Each is idempotent on {@link SendRequest#sendKey()}: the send ledger in
 * PostgreSQL is checked before the provider is called, and a send already recorded as accepted
 * returns its recorded result without calling the provider again.
 */
@ActivityInterface
public interface ChannelActivities {

  /**
   * Sends the rendered email with its attachments over SMTP. The Message-ID is derived from the
   * send key, so a resend after an ambiguous failure carries the same Message-ID. Email counts as
   * delivered when the relay accepts it. SMTP 5xx is PROVIDER_REJECTED; 4xx, timeouts and
   * connection errors are PROVIDER_UNAVAILABLE.
   */
  @ActivityMethod
  SendResult sendEmail(SendRequest request);

  /**
   * Sends the rendered SMS through Twilio with a status-callback URL that names the delivery.
   * Twilio's permanent errors (invalid number, unsubscribed recipient) are PROVIDER_REJECTED;
   * 429, 5xx and I/O errors are PROVIDER_UNAVAILABLE.
   */
  @ActivityMethod
  SendResult sendSms(SendRequest request);

  /**
   * One try on {@code request.channel()}, for workflows on the lean path. Writes
   * {@code request.pending()} first; on acceptance commits the ledger's SENT row, then the audit
   * event (and notification) of {@code request.onAccept()} (a retry after a crash in between
   * finds SENT and writes them, so they are never lost), and returns the event in
   * {@link SendOutcome#recorded()}. A provider's refusal is returned, not thrown; only
   * STORE_UNAVAILABLE and unexpected errors are thrown, for Temporal to retry. Idempotent on the
   * send key exactly as {@link #sendEmail} and {@link #sendSms}.
   */
  @ActivityMethod
  SendOutcome send(SendRequest request);
}
