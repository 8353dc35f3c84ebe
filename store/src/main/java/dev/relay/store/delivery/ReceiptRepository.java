package dev.relay.store.delivery;

import org.jdbi.v3.core.Jdbi;

/** Provider receipts, persisted before the workflow hears of them. */
public class ReceiptRepository {
  private final Jdbi jdbi;

  public ReceiptRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Returns true when this (message, status) is new; a provider's redelivery returns false. */
  public boolean record(String tenantId, String deliveryId, String provider,
      String providerMessageId, String status, String errorCode) {
    return jdbi.withHandle(h -> h.createUpdate("""
            insert into provider_receipts (tenant_id, delivery_id, provider, provider_message_id, status, error_code)
            values (:t, :d, :p, :m, :s, :e)
            on conflict (provider, provider_message_id, status) do nothing
            """)
        .bind("t", tenantId).bind("d", deliveryId).bind("p", provider)
        .bind("m", providerMessageId).bind("s", status).bind("e", errorCode)
        .execute() == 1);
  }
}
