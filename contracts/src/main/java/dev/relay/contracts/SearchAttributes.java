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

  private SearchAttributes() {}
}
