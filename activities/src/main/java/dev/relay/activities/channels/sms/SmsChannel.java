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
  private final SmsGuard guard;

  /** @param route the SMS providers in order; empty when SMS is not configured */
  public SmsChannel(ProviderRoute<RenderedPayload> route, RenderedPayloadRepository payloads,
      LedgeredSend ledger) {
    this(route, payloads, ledger, null);
  }

  /** @param guard the SMS-pumping defence checked before any provider is called; null: none */
  public SmsChannel(ProviderRoute<RenderedPayload> route, RenderedPayloadRepository payloads,
      LedgeredSend ledger, SmsGuard guard) {
    this.route = route;
    this.payloads = payloads;
    this.ledger = ledger;
    this.guard = guard;
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
    RenderedPayload payload = RenderedContent.load(payloads, request); // no attachments
    if (guard != null) {
      // Allowlist, segment cap and velocity, counted under the send key: after this, only the
      // provider's own answer decides (a send recorded SENT never gets here again).
      guard.beforeSend(request.tenantId(), request.sendKey(), request.address(),
          payload.textBody());
    }
    return payload;
  }
}
