package dev.relay.activities.channels.sms;

import dev.relay.activities.channels.LedgeredSend;
import dev.relay.activities.channels.RenderedContent;
import dev.relay.activities.channels.SendFailure;
import dev.relay.activities.channels.routing.ProviderRoute;
import dev.relay.contracts.activities.SendOutcome;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import dev.relay.store.payload.RenderedPayload;
import dev.relay.store.payload.RenderedPayloadRepository;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * SMS through its providers (today Twilio, {@link TwilioProvider}), behind the send ledger and
 * the routing, with a status callback that names the delivery so the API can match receipts.
 *
 * <p>Idempotency: keyed by the send key. A send recorded SENT is not repeated; a try after an
 * ambiguous one goes only to the provider it may have reached, which looks it up first.
 */
public class SmsChannel implements LedgeredSend.Content<RenderedPayload> {
  /** The provider configured as {@code relay.twilio}; receipts are matched under this name. */
  public static final String PROVIDER = "twilio";

  private final RenderedPayloadRepository payloads;
  private final LedgeredSend ledger;
  private final ProviderRoute<RenderedPayload> route;

  /** @param route the SMS providers in order; empty when SMS is not configured */
  public SmsChannel(ProviderRoute<RenderedPayload> route, RenderedPayloadRepository payloads,
      LedgeredSend ledger) {
    this.route = route;
    this.payloads = payloads;
    this.ledger = ledger;
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
      throw new IllegalStateException("Twilio is not configured");
    }
  }

  /** Where Twilio posts this delivery's status changes. */
  public static URI statusCallback(String baseUrl, String deliveryId) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return URI.create(base + "/v1/webhooks/twilio/status?deliveryId="
        + URLEncoder.encode(deliveryId, StandardCharsets.UTF_8));
  }

  @Override
  public RenderedPayload load(SendRequest request) throws SendFailure {
    return RenderedContent.load(payloads, request); // SMS carries no attachments
  }
}
