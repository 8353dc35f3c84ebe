package dev.relay.activities.channels.sms;

import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.type.PhoneNumber;
import dev.relay.activities.channels.SendFailure;
import dev.relay.activities.config.TwilioSettings;

/**
 * A plain text through Twilio, outside the delivery machinery: no status callback (no delivery to
 * match a receipt to), the same client settings (timeouts, no hidden retries) and the same error
 * classification as {@link TwilioProvider}. Used for Relay's own verification codes.
 */
public final class TwilioTexts {
  private final TwilioSettings twilio;
  private final TwilioRestClient client;

  public TwilioTexts(TwilioSettings twilio) {
    this.twilio = twilio;
    this.client = TwilioClients.create(twilio);
  }

  /** @return Twilio's message SID */
  public String send(String to, String body) throws SendFailure {
    try {
      return Message.creator(new PhoneNumber(to), new PhoneNumber(twilio.fromNumber()), body)
          .create(client).getSid();
    } catch (TwilioException e) {
      throw TwilioErrors.classify(e);
    }
  }
}
