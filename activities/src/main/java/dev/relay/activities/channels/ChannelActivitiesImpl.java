package dev.relay.activities.channels;

import dev.relay.activities.channels.email.EmailChannel;
import dev.relay.activities.channels.sms.SmsChannel;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.ChannelActivities;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;

/**
 * Outbound sends, one channel class each.
 *
 * <p>Idempotency: keyed by {@link SendRequest#sendKey()} in the send ledger (see
 * {@link LedgeredSend}); a send recorded SENT returns its recorded result without calling the
 * provider.
 */
public class ChannelActivitiesImpl implements ChannelActivities {
  private final EmailChannel email;
  private final SmsChannel sms;

  public ChannelActivitiesImpl(EmailChannel email, SmsChannel sms) {
    this.email = email;
    this.sms = sms;
  }

  @Override
  public SendResult sendEmail(SendRequest request) {
    requireChannel(request, Channel.EMAIL);
    return email.send(request);
  }

  @Override
  public SendResult sendSms(SendRequest request) {
    requireChannel(request, Channel.SMS);
    return sms.send(request);
  }

  private static void requireChannel(SendRequest request, Channel expected) {
    if (request.channel() != expected) {
      // A workflow bug, not a provider problem: retrying cannot help.
      throw DeliveryErrorType.TEMPLATE_CHANNEL_MISSING.failure(
          "send " + request.sendKey() + " is for " + request.channel() + ", not " + expected);
    }
  }
}
