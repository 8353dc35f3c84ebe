package dev.relay.activities.channels;

import dev.relay.activities.payload.PayloadDigest;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.PreparedPayload;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.store.payload.RenderedPayload;
import dev.relay.store.payload.RenderedPayloadRepository;
import dev.relay.store.sealed.DataErasedException;

/** Loads what {@code preparePayload} stored and proves it is what the workflow prepared. */
public final class RenderedContent {
  private RenderedContent() {}

  public static RenderedPayload load(RenderedPayloadRepository payloads, SendRequest request)
      throws SendFailure {
    PreparedPayload prepared = request.payload();
    if (prepared == null || prepared.channel() != request.channel()) {
      throw SendFailure.beforeProvider(DeliveryErrorType.PAYLOAD_MISSING,
          "no payload prepared for " + request.channel());
    }
    RenderedPayload rendered;
    try {
      rendered = payloads.find(request.deliveryId(), request.channel().name())
          .orElseThrow(() -> SendFailure.beforeProvider(DeliveryErrorType.PAYLOAD_MISSING,
              "rendered payload " + prepared.payloadRef() + " not found; prepare it again"));
    } catch (DataErasedException e) {
      // The recipient (or tenant) was erased after the rendering: nothing may be sent any more.
      throw SendFailure.beforeProvider(DeliveryErrorType.PAYLOAD_MISSING,
          "rendered payload " + prepared.payloadRef() + " was erased with the recipient's data");
    }
    // Recomputed, not just compared with the stored digest: the row itself could have changed.
    String digest = PayloadDigest.of(rendered);
    if (!digest.equals(prepared.contentSha256()) || !digest.equals(rendered.sha256())) {
      throw SendFailure.beforeProvider(DeliveryErrorType.PAYLOAD_DIGEST_MISMATCH,
          "rendered payload " + prepared.payloadRef() + " does not match the prepared digest");
    }
    return rendered;
  }
}
