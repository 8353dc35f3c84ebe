package dev.relay.store.delivery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The send ledger. A send first {@link #begin}s its key (which tells whether an earlier try got
 * as far as the provider), then records the provider's answer with {@link #markSent} or
 * {@link #markFailed}.
 */
public class SendLedgerRepository {
  private final Jdbi jdbi;

  public SendLedgerRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Claims the key for one more try and returns the entry as it was BEFORE this try: empty for
   * the first try, SENT when an earlier try was accepted (do not call the provider), SENDING when
   * an earlier try died without an answer (ambiguous), FAILED when it was refused.
   */
  public Optional<SendLedgerEntry> begin(String sendKey, String tenantId, String deliveryId,
      String channel, int round, String provider) {
    return jdbi.inTransaction(h -> begin(h, sendKey, tenantId, deliveryId, channel, round,
        provider));
  }

  /** {@link #begin} inside the caller's transaction. */
  public static Optional<SendLedgerEntry> begin(Handle h, String sendKey, String tenantId,
      String deliveryId, String channel, int round, String provider) {
    Optional<SendLedgerEntry> before = h.createQuery(
            "select * from send_ledger where send_key = :k for update")
        .bind("k", sendKey)
        .map((rs, ctx) -> map(rs))
        .findOne();
    if (before.isEmpty()) {
      h.createUpdate("""
              insert into send_ledger (send_key, tenant_id, delivery_id, channel, round, state, provider, tries)
              values (:k, :t, :d, :c, :r, 'SENDING', :p, 1)
              on conflict (send_key) do nothing
              """)
          .bind("k", sendKey).bind("t", tenantId).bind("d", deliveryId).bind("c", channel)
          .bind("r", round).bind("p", provider)
          .execute();
    } else if (!before.get().sent()) {
      h.createUpdate("""
              update send_ledger set state = 'SENDING', provider = :p, tries = tries + 1,
                updated_at = now() where send_key = :k
              """)
          .bind("k", sendKey).bind("p", provider).execute();
    }
    return before;
  }

  public void markSent(String sendKey, String provider, String providerMessageId) {
    jdbi.useHandle(h -> markSent(h, sendKey, provider, providerMessageId));
  }

  /**
   * {@link #markSent} inside the caller's transaction, so what records the acceptance (audit,
   * status, outbox) commits with it or not at all.
   */
  public static void markSent(Handle h, String sendKey, String provider,
      String providerMessageId) {
    h.createUpdate("""
            update send_ledger set state = 'SENT', provider = :p, provider_message_id = :m,
              last_error = null, updated_at = now() where send_key = :k
            """)
        .bind("k", sendKey).bind("p", provider).bind("m", providerMessageId).execute();
  }

  public void markFailed(String sendKey, String error) {
    jdbi.useHandle(h -> h.createUpdate("""
            update send_ledger set state = 'FAILED', last_error = :e, updated_at = now()
            where send_key = :k and state <> 'SENT'
            """)
        .bind("k", sendKey).bind("e", error).execute());
  }

  public Optional<SendLedgerEntry> find(String sendKey) {
    return jdbi.withHandle(h -> h.createQuery("select * from send_ledger where send_key = :k")
        .bind("k", sendKey).map((rs, ctx) -> map(rs)).findOne());
  }

  /**
   * The newest send of an earlier round of this delivery and channel that is still in doubt
   * (SENDING: a provider may have taken it). A new round must settle it before sending anew.
   */
  public Optional<SendLedgerEntry> findInDoubt(String deliveryId, String channel,
      String exceptSendKey) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from send_ledger
            where delivery_id = :d and channel = :c and state = 'SENDING' and send_key <> :k
            order by round desc limit 1
            """)
        .bind("d", deliveryId).bind("c", channel).bind("k", exceptSendKey)
        .map((rs, ctx) -> map(rs)).findOne());
  }

  /**
   * The send a provider message ID belongs to (receipts are matched this way). A round that
   * settled an earlier round's doubtful send records the same message under its own key too;
   * the newest round is returned.
   */
  public Optional<SendLedgerEntry> findByProviderMessageId(String provider, String messageId) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from send_ledger where provider = :p and provider_message_id = :m
            order by round desc limit 1
            """)
        .bind("p", provider).bind("m", messageId).map((rs, ctx) -> map(rs)).findOne());
  }

  /** How many distinct messages of a delivery the providers accepted (tests and reconciliation). */
  public int countSent(String deliveryId) {
    return jdbi.withHandle(h -> h.createQuery("""
            select count(distinct (provider, provider_message_id)) from send_ledger
            where delivery_id = :d and state = 'SENT'
            """)
        .bind("d", deliveryId).mapTo(Integer.class).one());
  }

  private static SendLedgerEntry map(ResultSet rs) throws SQLException {
    return new SendLedgerEntry(rs.getString("send_key"), rs.getString("tenant_id"),
        rs.getString("delivery_id"), rs.getString("channel"), rs.getInt("round"),
        rs.getString("state"), rs.getString("provider"), rs.getString("provider_message_id"),
        rs.getInt("tries"), rs.getString("last_error"));
  }
}
