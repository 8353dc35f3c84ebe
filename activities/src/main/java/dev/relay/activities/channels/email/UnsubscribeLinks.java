package dev.relay.activities.channels.email;

import dev.relay.store.consent.PurposeRepository;
import dev.relay.store.consent.UnsubscribeTokens;

/**
 * The one-click unsubscribe link (RFC 8058) of a delivery's email: present only when the
 * tenant marked the delivery's purpose non-essential and a public API base URL is configured.
 */
public final class UnsubscribeLinks {
  /** The path the API serves the links under. */
  public static final String PATH = "/v1/unsubscribe/";

  private final PurposeRepository purposes;
  private final UnsubscribeTokens tokens;
  private final String baseUrl;

  /** @param baseUrl the API's public base URL; null for no links */
  public UnsubscribeLinks(PurposeRepository purposes, UnsubscribeTokens tokens, String baseUrl) {
    this.purposes = purposes;
    this.tokens = tokens;
    this.baseUrl = baseUrl;
  }

  public static UnsubscribeLinks none() {
    return new UnsubscribeLinks(null, null, null);
  }

  /** The link for this delivery's email, or null. A database read: done once per send try. */
  public String linkFor(String tenantId, String deliveryId) {
    if (baseUrl == null) {
      return null;
    }
    return purposes.unsubscribeTarget(tenantId, deliveryId)
        .map(target -> baseUrl + PATH + tokens.issue(target))
        .orElse(null);
  }
}
