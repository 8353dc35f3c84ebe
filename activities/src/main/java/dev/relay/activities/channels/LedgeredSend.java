package dev.relay.activities.channels;

import dev.relay.activities.channels.FailureTable.Decision;
import dev.relay.activities.channels.routing.ProviderGuard;
import dev.relay.activities.channels.routing.ProviderRoute;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
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
 *   <li>acceptance is recorded with {@code markSent} (naming the provider); a refusal with
 *       {@code markFailed}; a try that may have reached the provider stays SENDING;
 *   <li>a failure the provider's table calls FAILOVER (it definitely did not take the message)
 *       moves on to the next provider in the same try; RETRY and PERMANENT end the try.
 * </ol>
 *
 * When no provider took the message, the try fails PROVIDER_UNAVAILABLE (retryable): the
 * workflow's next try, after its backoff, starts again from the first provider.
 */
public final class LedgeredSend {
  private static final Logger log = LoggerFactory.getLogger(LedgeredSend.class);

  /** Reads and checks what will be sent. No side effects; failures are not retryable. */
  @FunctionalInterface
  public interface Content<C> {
    C load(SendRequest request) throws SendFailure;
  }

  private final SendLedgerRepository ledger;

  public LedgeredSend(SendLedgerRepository ledger) {
    this.ledger = ledger;
  }

  public <C> SendResult run(SendRequest request, Content<C> content, ProviderRoute<C> route) {
    try {
      return runSettlingDoubts(request, content, route);
    } catch (JdbiException storeDown) {
      // Without the ledger no provider may be called (exactly once depends on it); this is not
      // the provider's fault, so it must not cost the round a try.
      throw DeliveryErrorType.STORE_UNAVAILABLE.failure("send ledger unreachable: "
          + storeDown.getClass().getSimpleName());
    }
  }

  private <C> SendResult runSettlingDoubts(SendRequest request, Content<C> content,
      ProviderRoute<C> route) {
    // A new round (a support RETRY, say) after a round whose send is still in doubt must not
    // send anew under its own key: that would be a second Message-ID, or skip Twilio's lookup.
    // It continues the doubtful send under that send's key, then records the outcome under its
    // own key as well, so its own later tries are answered by the ledger.
    Optional<SendLedgerEntry> earlier = ledger.findInDoubt(request.deliveryId(),
        request.channel().name(), request.sendKey());
    if (earlier.isEmpty()) {
      return runKey(request, content, route);
    }
    SendLedgerEntry doubtful = earlier.get();
    log.warn("send {}: round {} is still in doubt; settling it as {} before anything new",
        request.sendKey(), doubtful.round(), doubtful.sendKey());
    SendResult result = runKey(new SendRequest(request.tenantId(), request.deliveryId(),
        request.channel(), doubtful.sendKey(), doubtful.round(), request.tryNumber(),
        request.address(), request.payload()), content, route);
    ledger.begin(request.sendKey(), request.tenantId(), request.deliveryId(),
        request.channel().name(), request.round(), result.provider());
    ledger.markSent(request.sendKey(), result.provider(), result.providerMessageId());
    return result;
  }

  private <C> SendResult runKey(SendRequest request, Content<C> content, ProviderRoute<C> route) {
    String key = request.sendKey();
    Optional<SendLedgerEntry> known = ledger.find(key);
    if (known.isPresent() && known.get().sent()) {
      return fromLedger(known.get());
    }
    C loaded;
    try {
      loaded = content.load(request);
    } catch (SendFailure f) {
      // Nothing reached a provider in this try: the ledger, which tracks provider calls,
      // stays as it was (an earlier ambiguous try keeps its SENDING).
      throw f.type().failure(f.getMessage());
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
        return fromLedger(before.get()); // a concurrent try won the race
      }
      boolean inDoubt = inDoubtAt != null || (before.isPresent() && before.get().inFlight());
      try {
        String providerMessageId =
            permit.call(() -> candidate.provider().send(request, loaded, inDoubt));
        ledger.markSent(key, name, providerMessageId);
        if (inDoubt && !candidate.provider().reconcilesInDoubt()) {
          permit.possibleDuplicate();
        }
        return new SendResult(name, providerMessageId, false);
      } catch (SendFailure f) {
        log.warn("send {} via {} failed: {} {} {}", key, name, f.decision(), f.type(),
            f.getMessage(), f.getCause());
        if (!f.maybeAccepted()) {
          ledger.markFailed(key, f.type() + ": " + f.getMessage() + " [" + name + "]");
        }
        if (f.decision() != Decision.FAILOVER) {
          throw f.type().failure(f.getMessage() + " [" + name + "]");
        }
        passedOver.add(name + ": " + f.getMessage());
      }
    }
    if (passedOver.isEmpty()) {
      throw new IllegalStateException(route.channel() + " has no provider configured");
    }
    String message = "no " + route.channel().name().toLowerCase(Locale.ROOT)
        + " provider took the message: " + String.join("; ", passedOver);
    if (!anyCalled && retryAfter != null && !retryAfter.isZero()) {
      throw ApplicationFailure.newFailureWithCauseAndDelay(message,
          DeliveryErrorType.PROVIDER_UNAVAILABLE.name(), null, retryAfter);
    }
    throw DeliveryErrorType.PROVIDER_UNAVAILABLE.failure(message);
  }

  private static SendResult fromLedger(SendLedgerEntry entry) {
    return new SendResult(entry.provider(), entry.providerMessageId(), true);
  }
}
