package dev.relay.activities.payload;

import dev.relay.contracts.DeliveryIds;
import dev.relay.store.payload.RenderedPayload;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The SHA-256 of rendered content: subject, text body and HTML body joined by a unit separator,
 * with an explicit marker for a missing part so "no subject" and "empty subject" differ. The
 * send side recomputes it to prove it sends exactly what was prepared.
 */
public final class PayloadDigest {
  private PayloadDigest() {}

  public static String of(String subject, String textBody, String htmlBody) {
    String canonical = Arrays.asList(subject, textBody, htmlBody).stream()
        .map(v -> Objects.requireNonNullElse(v, "\u2400"))
        .collect(Collectors.joining("\u001f"));
    return DeliveryIds.sha256Hex(canonical);
  }

  public static String of(RenderedPayload p) {
    return of(p.subject(), p.textBody(), p.htmlBody());
  }
}
