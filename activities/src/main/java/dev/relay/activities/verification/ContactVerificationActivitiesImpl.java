package dev.relay.activities.verification;

import dev.relay.activities.channels.FailureTable.Decision;
import dev.relay.activities.channels.SendFailure;
import dev.relay.activities.channels.sms.SmsGuard;
import dev.relay.activities.channels.sms.TwilioTexts;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.CodeDispatch;
import dev.relay.contracts.activities.ContactVerificationActivities;
import dev.relay.contracts.activities.VerificationSend;
import dev.relay.store.verification.ContactVerification;
import dev.relay.store.verification.ContactVerificationRepository;
import dev.relay.store.verification.VerificationCodes;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws, keeps (as a keyed hash) and texts a verification code. The code exists only in this
 * method and in the SMS: not in the activity's input or result, not in a log line.
 *
 * <p>Idempotency key: the verification ID. SENT (or confirmed, locked, superseded) sends nothing
 * again; the SMS guard counts the send once under {@code verification:<id>}. A retry after a try
 * that may have reached Twilio (still SENDING) draws a new code and replaces the hash: the code
 * of the earlier text, if it ever arrives, no longer works, so at worst the recipient gets two
 * texts of which the newest counts, never two valid codes. (Twilio cannot be asked which code an
 * earlier text carried: only its hash is kept.)
 */
public class ContactVerificationActivitiesImpl implements ContactVerificationActivities {
  private static final Logger log = LoggerFactory.getLogger(ContactVerificationActivitiesImpl.class);
  static final String TEXT = "Your verification code is %s. It expires in %d minutes. "
      + "Do not share it.";

  private final ContactVerificationRepository verifications;
  private final VerificationCodes codes;
  private final SmsGuard guard;
  private final TwilioTexts twilio;

  /** @param twilio null when SMS is not configured (every send then fails, retryable) */
  public ContactVerificationActivitiesImpl(ContactVerificationRepository verifications,
      VerificationCodes codes, SmsGuard guard, TwilioTexts twilio) {
    this.verifications = verifications;
    this.codes = codes;
    this.guard = guard;
    this.twilio = twilio;
  }

  @Override
  public CodeDispatch sendVerificationCode(VerificationSend request) {
    ContactVerification v = verifications.find(request.tenantId(), request.verificationId())
        .orElseThrow(() -> DeliveryErrorType.VERIFICATION_NOT_FOUND.failure(
            "verification " + request.verificationId() + " does not exist"));
    switch (v.state()) {
      case SENT -> {
        return new CodeDispatch(v.id(), "SENT");
      }
      case CONFIRMED, LOCKED, SUPERSEDED, FAILED, UNSENT -> {
        return new CodeDispatch(v.id(), "CLOSED");
      }
      default -> { } // PENDING, or SENDING after an in-doubt try: (re)send
    }
    if (v.expired(Instant.now())) {
      return new CodeDispatch(v.id(), "EXPIRED");
    }
    if (twilio == null) {
      throw ApplicationFailure.newFailure("Twilio is not configured",
          DeliveryErrorType.PROVIDER_UNAVAILABLE.name());
    }
    String code = VerificationCodes.draw();
    String text = TEXT.formatted(code,
        verifications.limits().ttl().toMinutes());
    try {
      // Allowlist, segment cap, velocity and pause, exactly as for any SMS: a verification
      // text is itself a pumping vector. Counted once per verification.
      guard.beforeSend(v.tenantId(), "verification:" + v.id(), v.address(), text);
      if (!verifications.codeDrawn(v.id(), codes.hash(v.id(), code))) {
        return new CodeDispatch(v.id(), "CLOSED"); // confirmed, superseded or expired meanwhile
      }
      String sid = twilio.send(v.address(), text);
      verifications.sent(v.id(), sid);
      log.info("verification {} of tenant {}: code texted ({})", v.id(), v.tenantId(), sid);
      return new CodeDispatch(v.id(), "SENT");
    } catch (SendFailure e) {
      if (e.decision() == Decision.PERMANENT) {
        verifications.failed(v, e.type() + ": " + e.getMessage());
        throw e.type().failure(e.getMessage());
      }
      // Twilio busy or unreachable: Temporal retries within the activity's bounds.
      throw ApplicationFailure.newFailure(e.getMessage(), e.type().name());
    }
  }
}
