package dev.relay.activities.channels;

import dev.relay.activities.channels.FailureTable.Decision;
import dev.relay.activities.channels.routing.ProviderGuard;
import dev.relay.activities.channels.routing.ProviderRoute;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.SendOutcome;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.store.UnitOfWork;
import dev.relay.store.delivery.SendLedgerEntry;
import dev.relay.store.delivery.SendLedgerRepository;
import io.temporal.failure.ApplicationFailure;
import org.jdbi.v3.core.JdbiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send-ledger protocol every channel follows, keyed by {@link SendRequest#sendKey()}, over
 * the channel's providers in routing order:
 *
 * <ol>
 *   <li>a send already recorded SENT returns its recorded result; no provider is called;
 *   <li>the content is loaded and checked before the key is claimed, so SENDING in the ledger
 *       only ever means "a provider may have been called";
 *   <li>the first provider whose circuit breaker permits (and whose rate limit frees up in time)
 *       gets the send; {@code begin} claims the key for it and tells whether an earlier try died
 *       in doubt;
 *   <li>acceptance is recorded with {@code markSent} (naming the provider) at once, then what
 *       the caller records about it ({@link Acceptance}) in a transaction of its own, so the
 *       in-doubt window never waits for the audit chain's lock (a retry after a crash between
 *       the two finds SENT and writes the record); a refusal with {@code markFailed}; a try that
 *       may have reached the provider stays SENDING;
 *   <li>a failure the provider's table calls FAILOVER (it definitely did not take the message)
 *       moves on to the next provider in the same try; RETRY and PERMANENT end the try.
 * </ol>
 *
 * When no provider took the message, the try fails PROVIDER_UNAVAILABLE (retryable): the
 * workflow's next try, after its backoff, starts again from the first provider. {@link #run}
 * throws failures (the original channel activities), {@link #attempt} returns them (the lean
 * path); both throw STORE_UNAVAILABLE when the ledger is unreachable.
 */
public final class LedgeredSend {
  private static final Logger log = LoggerFactory.getLogger(LedgeredSend.class);

  /** Reads and checks what will be sent. No side effects; failures are not retryable. */
  @FunctionalInterface
  public interface Content<C> {
    C load(SendRequest request) throws SendFailure;
  }

  /**
   * What a send writes with an acceptance, in a transaction of its own right after the ledger's
   * SENT row committed (also when the ledger already had it): the audit event that records it,
   * which is returned. Must be idempotent, like everything a retried send writes.
   */
  @FunctionalInterface
  public interface Acceptance {
    AuditEvent record(UnitOfWork.Writes writes, SendResult result);
  }

  private final SendLedgerRepository ledger;
  private final UnitOfWork store;

  public LedgeredSend(SendLedgerRepository ledger, UnitOfWork store) {
    this.ledger = ledger;
    this.store = store;
  }

  /**
   * One try, for {@code sendEmail}/{@code sendSms}: an acceptance is returned, anything else is
   * thrown (refusals as {@link DeliveryErrorType} failures, a database outage as
   * STORE_UNAVAILABLE).
   */
  public <C> SendResult run(SendRequest request, Content<C> content, ProviderRoute<C> route) {
    SendOutcome outcome = attempt(request, content, route, null);
    if (outcome.isAccepted()) {
      return outcome.accepted();
    }
    if (!outcome.retryAfter().isZero()) {
      throw ApplicationFailure.newFailureWithCauseAndDelay(outcome.failure(),
          outcome.failureType().name(), null, outcome.retryAfter());
    }
    throw outcome.failureType().failure(outcome.failure());
  }

  /**
   * One try, for the lean path: a provider's refusal (and our own content's) is returned, so only
   * STORE_UNAVAILABLE and unexpected errors are thrown. On acceptance {@code onAccept} (null for
   * nothing) is written with the ledger's SENT row and its event returned in the outcome.
   */
  public <C> SendOutcome attempt(SendRequest request, Content<C> content, ProviderRoute<C> route,
      Acceptance onAccept) {
    try {
      return runSettlingDoubts(request, content, route, onAccept);
    } catch (JdbiException storeDown) {
      throw storeUnavailable(storeDown);
    }
  }

  /**
   * The failure of a send whose store is unreachable: without the ledger no provider may be
   * called (exactly once depends on it), and it is not the provider's fault, so it must not cost
   * the round a try.
   */
  public static ApplicationFailure storeUnavailable(JdbiException storeDown) {
    return DeliveryErrorType.STORE_UNAVAILABLE.failure("send ledger unreachable: "
        + storeDown.getClass().getSimpleName());
  }

  private <C> SendOutcome runSettlingDoubts(SendRequest request, Content<C> content,
      ProviderRoute<C> route, Acceptance onAccept) {
    // A new round (a support RETRY, say) after a round whose send is still in doubt must not
    // send anew under its own key: that would be a second Message-ID, or skip Twilio's lookup.
    // It continues the doubtful send under that send's key, then records the outcome under its
    // own key as well, so its own later tries are answered by the ledger.
    Optional<SendLedgerEntry> earlier = ledger.findInDoubt(request.deliveryId(),
        request.channel().name(), request.sendKey());
    if (earlier.isEmpty()) {
      return runKey(request, content, route, onAccept);
    }
    SendLedgerEntry doubtful = earlier.get();
    log.warn("send {}: round {} is still in doubt; settling it as {} before anything new",
        request.sendKey(), doubtful.round(), doubtful.sendKey());
    // Both keys turn SENT in one transaction: a worker dying in between would otherwise leave
    // this round's key unknown, and its retry would send a second message.
    Acceptance settled = (w, result) -> {
      w.settledAs(request.sendKey(), request.tenantId(), request.deliveryId(),
          request.channel().name(), request.round(), result.provider(),
          result.providerMessageId());
      return onAccept == null ? null : onAccept.record(w, result);
    };
    return runKey(new SendRequest(request.tenantId(), request.deliveryId(),
        request.channel(), doubtful.sendKey(), doubtful.round(), request.tryNumber(),
        request.address(), request.payload(), null, null, request.recipientId(),
        request.purpose()), content, route, settled);
  }

  private <C> SendOutcome runKey(SendRequest request, Content<C> content, ProviderRoute<C> route,
      Acceptance onAccept) {
    String key = request.sendKey();
    Optional<SendLedgerEntry> known = ledger.find(key);
    if (known.isPresent() && known.get().sent()) {
      return fromLedger(known.get(), onAccept);
    }
    C loaded;
    try {
      loaded = content.load(request);
    } catch (SendFailure f) {
      // Nothing reached a provider in this try: the ledger, which tracks provider calls,
      // stays as it was (an earlier ambiguous try keeps its SENDING).
      return SendOutcome.failed(f.type(), f.getMessage(), Duration.ZERO);
    }
    // An earlier try that may have reached a provider: that provider is asked first, and on a
    // channel that cannot dedupe across providers it is the only one asked.
    String inDoubtAt = known.filter(SendLedgerEntry::inFlight).map(SendLedgerEntry::provider)
        .orElse(null);
    List<String> passedOver = new ArrayList<>();
    // When every provider refused without being called, the earliest moment one of them will
    // take calls again: the workflow waits at least that long before its next try, so a round of
    // tries is not burnt against open breakers.
    Duration retryAfter = null;
    boolean anyCalled = false;
    for (ProviderRoute.Candidate<C> candidate : route.candidates(inDoubtAt)) {
      String name = candidate.name();
      ProviderGuard.Entry entry = candidate.guard().enter();
      if (entry instanceof ProviderGuard.Refused refused) {
        passedOver.add(name + ": " + refused.reason());
        if (retryAfter == null || refused.retryAfter().compareTo(retryAfter) < 0) {
          retryAfter = refused.retryAfter();
        }
        continue;
      }
      anyCalled = true;
      ProviderGuard.Permit permit = (ProviderGuard.Permit) entry;
      Optional<SendLedgerEntry> before = ledger.begin(key, request.tenantId(),
          request.deliveryId(), request.channel().name(), request.round(), name);
      if (before.isPresent() && before.get().sent()) {
        permit.release();
        return fromLedger(before.get(), onAccept); // a concurrent try won the race
      }
      boolean inDoubt = inDoubtAt != null || (before.isPresent() && before.get().inFlight());
      try {
        String providerMessageId =
            permit.call(() -> candidate.provider().send(request, loaded, inDoubt));
        SendResult result = new SendResult(name, providerMessageId, false);
        // SENT first, in its own short transaction: until it commits, a crash turns this send
        // into an in-doubt resend, so the window must not include waiting for the tenant's audit
        // chain lock. The acceptance's record follows; a crash between the two is retried by
        // Temporal, finds SENT in the ledger and writes the record then (keyed, so once).
        ledger.markSent(key, name, providerMessageId);
        AuditEvent recorded = onAccept == null ? null
            : store.inTransaction(w -> onAccept.record(w, result));
        if (inDoubt && !candidate.provider().reconcilesInDoubt()) {
          permit.possibleDuplicate();
        }
        return SendOutcome.accepted(result, recorded);
      } catch (SendFailure f) {
        log.warn("send {} via {} failed: {} {} {}", key, name, f.decision(), f.type(),
            f.getMessage(), f.getCause());
        if (!f.maybeAccepted()) {
          ledger.markFailed(key, f.type() + ": " + f.getMessage() + " [" + name + "]");
        }
        if (f.suppression() != null) {
          // The address is dead for good (hard bounce, STOP): later deliveries go to another
          // consented channel or are rejected, whatever the client PUTs.
          store.inTransaction(w -> w.suppress(request.tenantId(), request.channel().name(),
              request.address(), f.suppression(), f.getMessage() + " [" + name + "]",
              request.deliveryId()));
        }
        if (f.decision() != Decision.FAILOVER) {
          return SendOutcome.failed(f.type(), f.getMessage() + " [" + name + "]", Duration.ZERO);
        }
        passedOver.add(name + ": " + f.getMessage());
      }
    }
    if (passedOver.isEmpty()) {
      throw new IllegalStateException(route.channel() + " has no provider configured");
    }
    String message = "no " + route.channel().name().toLowerCase(Locale.ROOT)
        + " provider took the message: " + String.join("; ", passedOver);
    return SendOutcome.failed(DeliveryErrorType.PROVIDER_UNAVAILABLE, message,
        !anyCalled && retryAfter != null ? retryAfter : Duration.ZERO);
  }

  /** The ledger already had the acceptance: the provider is not called again. */
  private SendOutcome fromLedger(SendLedgerEntry entry, Acceptance onAccept) {
    SendResult result = new SendResult(entry.provider(), entry.providerMessageId(), true);
    AuditEvent recorded = onAccept == null
        ? null
        : store.inTransaction(w -> onAccept.record(w, result));
    return SendOutcome.accepted(result, recorded);
  }
}
