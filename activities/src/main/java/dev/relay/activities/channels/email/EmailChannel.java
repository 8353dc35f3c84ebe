package dev.relay.activities.channels.email;

import dev.relay.activities.channels.LedgeredSend;
import dev.relay.activities.channels.RenderedContent;
import dev.relay.activities.channels.SendFailure;
import dev.relay.activities.channels.routing.ProviderRoute;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.activities.DocumentRef;
import dev.relay.contracts.activities.SendOutcome;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.payload.RenderedPayload;
import dev.relay.store.sealed.DataErasedException;
import dev.relay.store.payload.RenderedPayloadRepository;
import java.util.ArrayList;
import java.util.List;

/**
 * Email over SMTP relays ({@link SmtpProvider}), behind the send ledger and the routing.
 *
 * <p>Idempotency: keyed by the send key. A send recorded SENT is not repeated. A try that died
 * after possibly reaching a relay (ledger still SENDING) is sent again with the same
 * Message-ID, which is derived from the send key: receiving systems and mailbox providers drop a
 * second message with a Message-ID they already have, so the ambiguous resend does not show up
 * twice for the recipient. It is logged and counted as a possible duplicate. Because the
 * Message-ID does not depend on the relay, such a resend may also go through another relay.
 */
public class EmailChannel implements LedgeredSend.Content<EmailChannel.Email> {
  /** The relay configured as {@code relay.smtp}. */
  public static final String PRIMARY = "smtp-primary";
  /** The relay configured as {@code relay.smtp-secondary}. */
  public static final String SECONDARY = "smtp-secondary";

  /** What one send puts on the wire. */
  /**
   * @param listUnsubscribe the one-click unsubscribe URL for the List-Unsubscribe headers
   *     (RFC 8058), or null for an essential purpose
   */
  public record Email(RenderedPayload payload, List<Attachment> attachments,
      String listUnsubscribe) {

    public Email(RenderedPayload payload, List<Attachment> attachments) {
      this(payload, attachments, null);
    }
  }

  public record Attachment(DocumentRef ref, byte[] content) {}

  private final RenderedPayloadRepository payloads;
  private final DocumentRepository documents;
  private final LedgeredSend ledger;
  private final ProviderRoute<Email> route;
  private final UnsubscribeLinks unsubscribe;

  /** @param route the relays in order; empty when email is not configured */
  public EmailChannel(ProviderRoute<Email> route, RenderedPayloadRepository payloads,
      DocumentRepository documents, LedgeredSend ledger) {
    this(route, payloads, documents, ledger, UnsubscribeLinks.none());
  }

  public EmailChannel(ProviderRoute<Email> route, RenderedPayloadRepository payloads,
      DocumentRepository documents, LedgeredSend ledger, UnsubscribeLinks unsubscribe) {
    this.route = route;
    this.payloads = payloads;
    this.documents = documents;
    this.ledger = ledger;
    this.unsubscribe = unsubscribe;
  }

  public SendResult send(SendRequest request) {
    requireConfigured();
    return ledger.run(request, this, route);
  }

  /** One try that returns a refusal instead of throwing it (see {@link LedgeredSend#attempt}). */
  public SendOutcome attempt(SendRequest request, LedgeredSend.Acceptance onAccept) {
    requireConfigured();
    return ledger.attempt(request, this, route, onAccept);
  }

  private void requireConfigured() {
    if (route.isEmpty()) {
      throw new IllegalStateException("SMTP is not configured");
    }
  }

  /**
   * The Message-ID of a send: {@code <first 32 hex of sha256(sendKey)@domain>}. Stable across
   * tries of one send and across relays, distinct across rounds and deliveries, and free of
   * client data.
   */
  public static String messageId(String sendKey, String domain) {
    return "<" + DeliveryIds.sha256Hex(sendKey).substring(0, 32) + "@" + domain + ">";
  }

  @Override
  public Email load(SendRequest request) throws SendFailure {
    RenderedPayload payload = RenderedContent.load(payloads, request);
    List<Attachment> attachments = new ArrayList<>();
    List<DocumentRef> refs = request.payload().documents() == null
        ? List.of()
        : request.payload().documents();
    for (DocumentRef ref : refs) {
      byte[] content;
      try {
        content = documents.content(request.tenantId(), ref.documentId())
            .orElseThrow(() -> SendFailure.beforeProvider(DeliveryErrorType.DOCUMENT_NOT_FOUND,
                "document " + ref.documentId() + " not found"));
      } catch (DataErasedException e) {
        // Crypto-shredded (the tenant's data keys were destroyed): gone for good, never retried.
        throw SendFailure.beforeProvider(DeliveryErrorType.DOCUMENT_NOT_FOUND,
            "document " + ref.documentId() + " was erased");
      }
      // The bytes must still be the ones the workflow prepared a reference to.
      if (!DeliveryIds.sha256Hex(content).equals(ref.sha256())) {
        throw SendFailure.beforeProvider(DeliveryErrorType.DOCUMENT_DIGEST_MISMATCH,
            "document " + ref.documentId() + " does not match its prepared SHA-256");
      }
      attachments.add(new Attachment(ref, content));
    }
    return new Email(payload, List.copyOf(attachments),
        unsubscribe.linkFor(request));
  }
}
