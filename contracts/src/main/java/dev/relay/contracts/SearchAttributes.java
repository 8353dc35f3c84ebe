package dev.relay.contracts;

import io.temporal.common.SearchAttributeKey;

/**
 * Custom search attributes kept current by the delivery workflow, so operators can filter in
 * the Temporal Web UI, e.g. {@code DeliveryStatus = "NEEDS_ATTENTION"}. All are keywords and
 * must be registered on the namespace (see scripts and README).
 */
public final class SearchAttributes {
  public static final SearchAttributeKey<String> DELIVERY_STATUS =
      SearchAttributeKey.forKeyword("DeliveryStatus");
  public static final SearchAttributeKey<String> RECIPIENT_ID =
      SearchAttributeKey.forKeyword("RecipientId");
  public static final SearchAttributeKey<String> CHANNEL = SearchAttributeKey.forKeyword("Channel");
  public static final SearchAttributeKey<String> PURPOSE = SearchAttributeKey.forKeyword("Purpose");
  public static final SearchAttributeKey<String> TENANT = SearchAttributeKey.forKeyword("Tenant");

  /** Every key, for registration on a namespace or a test environment. */
  public static final java.util.List<SearchAttributeKey<String>> ALL =
      java.util.List.of(DELIVERY_STATUS, RECIPIENT_ID, CHANNEL, PURPOSE, TENANT);

  /**
   * The attributes a delivery starts with (the API sets them on the start request): whom and what
   * it is for, {@code DeliveryStatus = ACCEPTED} and the first channel. The workflow then changes
   * them only where an operator's filter changes meaning, so setting them here saves every
   * delivery an upsert. No contact point (address, number) is ever a search attribute: search
   * attributes are not encrypted.
   */
  public static io.temporal.common.SearchAttributes atStart(String tenantId, String recipientId,
      String purpose, Channel firstChannel) {
    io.temporal.common.SearchAttributes.Builder builder = io.temporal.common.SearchAttributes.newBuilder()
        .set(DELIVERY_STATUS, DeliveryStatus.ACCEPTED.name());
    if (tenantId != null) {
      builder.set(TENANT, tenantId);
    }
    if (recipientId != null) {
      builder.set(RECIPIENT_ID, recipientId);
    }
    if (purpose != null) {
      builder.set(PURPOSE, purpose);
    }
    if (firstChannel != null) {
      builder.set(CHANNEL, firstChannel.name());
    }
    return builder.build();
  }

  private SearchAttributes() {}
}
