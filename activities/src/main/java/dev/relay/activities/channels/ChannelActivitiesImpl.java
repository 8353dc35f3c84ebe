package dev.relay.activities.channels;

import dev.relay.activities.audit.AuditBatchWriter;
import dev.relay.activities.channels.email.EmailChannel;
import dev.relay.activities.channels.sms.SmsChannel;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.AcceptRecord;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.ChannelActivities;
import dev.relay.contracts.activities.SendOutcome;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.contracts.activities.StatusNotification;
import dev.relay.store.UnitOfWork;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.JdbiException;

/**
 * Outbound sends, one channel class each.
 *
 * <p>Idempotency: keyed by {@link SendRequest#sendKey()} in the send ledger (see
 * {@link LedgeredSend}); a send recorded SENT returns its recorded result without calling the
 * provider. What {@link #send} writes besides is keyed too: the pending batch and the acceptance
 * event on (delivery ID, sequence), the notification on its event ID.
 */
public class ChannelActivitiesImpl implements ChannelActivities {
  private final EmailChannel email;
  private final SmsChannel sms;
  private final AuditBatchWriter bookkeeping;
  private final Clock clock;

  public ChannelActivitiesImpl(EmailChannel email, SmsChannel sms, AuditBatchWriter bookkeeping,
      Clock clock) {
    this.email = email;
    this.sms = sms;
    this.bookkeeping = bookkeeping;
    this.clock = clock;
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

  @Override
  public SendOutcome send(SendRequest request) {
    try {
      bookkeeping.write(request.pending());
    } catch (JdbiException storeDown) {
      throw LedgeredSend.storeUnavailable(storeDown);
    }
    LedgeredSend.Acceptance onAccept = request.onAccept() == null
        ? null
        : (w, result) -> recordAcceptance(w, request, result);
    return request.channel() == Channel.SMS
        ? sms.attempt(request, onAccept)
        : email.attempt(request, onAccept);
  }

  /**
   * The "send accepted" event (and its notification), right after the ledger's SENT. On a retry
   * the event stored by the first run is returned, so the workflow records the same event
   * whichever run's answer reaches it.
   */
  private AuditEvent recordAcceptance(UnitOfWork.Writes w, SendRequest request,
      SendResult result) {
    AcceptRecord accept = request.onAccept();
    // Microseconds, as PostgreSQL keeps them: the first answer equals every later one.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    String detail = result.acceptedDetail(request.tryNumber());
    AuditEvent recorded = bookkeeping.append(w, new AuditEvent(request.tenantId(),
        request.deliveryId(), accept.sequence(), now, "relay", "send", "accepted", detail,
        accept.status(), request.channel(), request.round(), null, result.provider(),
        result.providerMessageId()));
    if (accept.notification() != null) {
      bookkeeping.enqueue(w, new StatusNotification(request.tenantId(), request.deliveryId(),
          accept.sequence(), accept.notification(), accept.status(), request.channel(),
          request.round(), null, recorded.occurredAt()));
    }
    return recorded;
  }

  private static void requireChannel(SendRequest request, Channel expected) {
    if (request.channel() != expected) {
      // A workflow bug, not a provider problem: retrying cannot help.
      throw DeliveryErrorType.TEMPLATE_CHANNEL_MISSING.failure(
          "send " + request.sendKey() + " is for " + request.channel() + ", not " + expected);
    }
  }
}
