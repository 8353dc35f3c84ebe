package dev.relay.activities.channels;

import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.store.delivery.SendLedgerEntry;
import dev.relay.store.delivery.SendLedgerRepository;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send-ledger protocol every channel follows, keyed by {@link SendRequest#sendKey()}:
 *
 * <ol>
 *   <li>a send already recorded SENT returns its recorded result; the provider is not called;
 *   <li>the content is loaded and checked before the key is claimed, so SENDING in the ledger
 *       only ever means "the provider may have been called";
 *   <li>{@code begin} claims the key and tells whether an earlier try died in that state;
 *   <li>the provider's acceptance is recorded with {@code markSent}; a refusal with
 *       {@code markFailed}; a try that may have reached the provider stays SENDING.
 * </ol>
 */
public final class LedgeredSend {
  private static final Logger log = LoggerFactory.getLogger(LedgeredSend.class);

  /** One provider behind the ledger. */
  public interface Provider<C> {
    /** Reads and checks what will be sent. No side effects; failures are not retryable. */
    C load(SendRequest request) throws SendFailure;

    /**
     * Hands the message to the provider and returns the provider's message ID.
     *
     * @param earlierTryInDoubt an earlier try of this key may have reached the provider
     */
    String send(SendRequest request, C content, boolean earlierTryInDoubt) throws SendFailure;
  }

  private final SendLedgerRepository ledger;

  public LedgeredSend(SendLedgerRepository ledger) {
    this.ledger = ledger;
  }

  public <C> SendResult run(SendRequest request, String providerName, Provider<C> provider) {
    String key = request.sendKey();
    Optional<SendLedgerEntry> known = ledger.find(key);
    if (known.isPresent() && known.get().sent()) {
      return fromLedger(known.get());
    }
    C content;
    try {
      content = provider.load(request);
    } catch (SendFailure f) {
      // Nothing reached the provider in this try: the ledger, which tracks provider calls,
      // stays as it was (an earlier ambiguous try keeps its SENDING).
      throw f.type().failure(f.getMessage());
    }
    Optional<SendLedgerEntry> before = ledger.begin(key, request.tenantId(),
        request.deliveryId(), request.channel().name(), request.round(), providerName);
    if (before.isPresent() && before.get().sent()) {
      return fromLedger(before.get()); // a concurrent try won the race
    }
    boolean inDoubt = before.isPresent() && before.get().inFlight();
    try {
      String providerMessageId = provider.send(request, content, inDoubt);
      ledger.markSent(key, providerName, providerMessageId);
      return new SendResult(providerName, providerMessageId, false);
    } catch (SendFailure f) {
      log.warn("send {} via {} failed: {} {}", key, providerName, f.type(), f.getMessage(),
          f.getCause());
      if (!f.maybeAccepted()) {
        ledger.markFailed(key, f.type() + ": " + f.getMessage());
      }
      throw f.type().failure(f.getMessage());
    }
  }

  private static SendResult fromLedger(SendLedgerEntry entry) {
    return new SendResult(entry.provider(), entry.providerMessageId(), true);
  }
}
