package dev.relay.activities.channels.sms;

import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.type.PhoneNumber;
import dev.relay.activities.channels.ChannelProvider;
import dev.relay.activities.channels.FailureTable.Decision;
import dev.relay.activities.channels.SendFailure;
import dev.relay.activities.config.TwilioSettings;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.store.delivery.SendLedgerRepository;
import dev.relay.store.payload.RenderedPayload;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Twilio's Messages API. Twilio has no idempotency key for messages, so a try after an earlier
 * one that may have reached Twilio (ledger still SENDING) first looks for the message at Twilio:
 * the most recent messages from our number to the recipient, created within {@link #LOOKBACK},
 * with exactly the prepared body and a SID no other send in our ledger owns. If one is found it
 * is adopted (recorded SENT, not sent again). Twilio's message resource does not expose the
 * status-callback URL, so the body is the match.
 */
public final class TwilioProvider implements ChannelProvider<RenderedPayload> {
  /** How far back an ambiguous earlier try is looked for. */
  static final Duration LOOKBACK = Duration.ofHours(24);
  /** Messages to one number from our number within the lookback: one page is plenty. */
  private static final int LOOKUP_PAGE_SIZE = 50;
  private static final Logger log = LoggerFactory.getLogger(TwilioProvider.class);

  private final String name;
  private final TwilioSettings twilio;
  private final TwilioRestClient client;
  private final SendLedgerRepository ledgerEntries;
  private final Clock clock;

  public TwilioProvider(String name, TwilioSettings twilio, SendLedgerRepository ledgerEntries,
      Clock clock) {
    this.name = name;
    this.twilio = twilio;
    this.client = TwilioClients.create(twilio);
    this.ledgerEntries = ledgerEntries;
    this.clock = clock;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean reconcilesInDoubt() {
    return true;
  }

  @Override
  public String send(SendRequest request, RenderedPayload payload, boolean earlierTryInDoubt)
      throws SendFailure {
    String body = payload.textBody();
    if (earlierTryInDoubt) {
      Optional<String> earlier = findEarlierTry(request, body);
      if (earlier.isPresent()) {
        log.info("send {}: adopting message {} created by an earlier try", request.sendKey(),
            earlier.get());
        return earlier.get();
      }
      log.info("send {}: earlier try not found at Twilio, sending", request.sendKey());
    }
    try {
      var creator = Message.creator(new PhoneNumber(request.address()),
          new PhoneNumber(twilio.fromNumber()), body);
      if (twilio.statusCallbackBaseUrl() != null) {
        creator.setStatusCallback(SmsChannel.statusCallback(twilio.statusCallbackBaseUrl(),
            request.deliveryId()));
      }
      return creator.create(client).getSid();
    } catch (TwilioException e) {
      throw TwilioErrors.classify(e);
    }
  }

  private Optional<String> findEarlierTry(SendRequest request, String body)
      throws SendFailure {
    Instant since = clock.instant().minus(LOOKBACK);
    try {
      var recent = Message.reader()
          .setTo(new PhoneNumber(request.address()))
          .setFrom(new PhoneNumber(twilio.fromNumber()))
          .setPageSize((long) LOOKUP_PAGE_SIZE)
          .limit(LOOKUP_PAGE_SIZE)
          .read(client);
      for (Message m : recent) {
        if (m.getDateCreated() != null && m.getDateCreated().toInstant().isBefore(since)) {
          break; // newest first: everything after is older still
        }
        if (body.equals(m.getBody()) && !ownedByAnotherSend(m.getSid(), request.sendKey())) {
          return Optional.of(m.getSid());
        }
      }
      return Optional.empty();
    } catch (TwilioException e) {
      // Whatever Twilio said, the doubt is not resolved: stay SENDING and let Temporal retry.
      SendFailure cause = TwilioErrors.classify(e);
      throw new SendFailure(Decision.RETRY, true,
          "looking up an earlier try failed: " + cause.getMessage(), e);
    }
  }

  private boolean ownedByAnotherSend(String sid, String sendKey) {
    return ledgerEntries.findByProviderMessageId(name, sid)
        .filter(entry -> !entry.sendKey().equals(sendKey))
        .isPresent();
  }
}
