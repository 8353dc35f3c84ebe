package dev.relay.store.webhook;

import dev.relay.store.sealed.AtRest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The outbox of status events for tenants' webhooks. Workflows queue events (idempotently, by
 * event ID); dispatchers claim due ones with a lease, POST them outside any transaction, and record
 * the outcome. Several dispatchers may run: {@code for update skip locked} hands each row to one.
 */
public class WebhookOutboxRepository {
  private final Jdbi jdbi;

  public WebhookOutboxRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Queues the event, due now, if the tenant has a status webhook (URL and secret); a second call
   * with the same event ID changes nothing. Returns whether a row was written.
   */
  public boolean enqueue(OutboxEvent event) {
    return jdbi.withHandle(h -> enqueue(h, event));
  }

  /** {@link #enqueue} inside the caller's transaction. */
  public static boolean enqueue(Handle h, OutboxEvent event) {
    return h.createUpdate("""
            insert into webhook_outbox (event_id, tenant_id, delivery_id, type, payload)
            select :eventId, t.id, :deliveryId, :type, cast(:payload as jsonb)
            from tenants t
            where t.id = :tenant and t.status_webhook_url is not null
              and (t.status_webhook_secret is not null or t.status_webhook_secret_sealed is not null)
            on conflict (event_id) do nothing
            """)
        .bind("eventId", event.eventId()).bind("tenant", event.tenantId())
        .bind("deliveryId", event.deliveryId()).bind("type", event.type())
        .bind("payload", event.payloadJson())
        .execute() == 1;
  }

  /**
   * Claims up to {@code limit} PENDING events due at {@code now}, oldest first: counts the attempt
   * and moves {@code next_attempt_at} past the lease, so a dispatcher that dies mid-POST leaves the
   * event due again after the lease instead of lost. Rows another dispatcher holds are skipped.
   */
  public List<DueWebhook> claimDue(Instant now, int limit, Duration lease) {
    return jdbi.inTransaction(h -> {
      AtRest.Session session = AtRest.session(h);
      return h.createQuery("""
            with due as (
              select id from webhook_outbox
              where state = 'PENDING' and next_attempt_at <= :now
              order by next_attempt_at, id
              limit :limit
              for update skip locked
            )
            update webhook_outbox o
            set attempts = o.attempts + 1, next_attempt_at = :leaseEnd
            from due, tenants t
            where o.id = due.id and t.id = o.tenant_id
            returning o.id, o.event_id, o.tenant_id, o.delivery_id, o.type, o.payload::text as body,
              o.attempts, t.status_webhook_url, t.status_webhook_secret,
              t.status_webhook_secret_sealed
            """)
        .bind("now", Timestamp.from(now)).bind("limit", limit)
        .bind("leaseEnd", Timestamp.from(now.plus(lease)))
        .map((rs, ctx) -> new DueWebhook(rs.getString("event_id"), rs.getString("tenant_id"),
            rs.getString("delivery_id"), rs.getString("type"), rs.getString("body"),
            rs.getInt("attempts"), rs.getString("status_webhook_url"),
            StatusWebhookRepository.secret(session, rs, "tenant_id")))
        .list();
    });
  }

  /** The tenant answered 2xx: the event is done. */
  public void markDelivered(String eventId, Instant at) {
    jdbi.useHandle(h -> h.createUpdate("""
            update webhook_outbox set state = 'DELIVERED', delivered_at = :at, last_error = null
            where event_id = :id and state = 'PENDING'
            """)
        .bind("id", eventId).bind("at", Timestamp.from(at)).execute());
  }

  /** This try failed: try again at {@code nextAttemptAt}. */
  public void markRetry(String eventId, Instant nextAttemptAt, String error) {
    jdbi.useHandle(h -> h.createUpdate("""
            update webhook_outbox set next_attempt_at = :next, last_error = :error
            where event_id = :id and state = 'PENDING'
            """)
        .bind("id", eventId).bind("next", Timestamp.from(nextAttemptAt))
        .bind("error", truncate(error)).execute());
  }

  /** Given up: the last try failed, or the tenant has no webhook any more. */
  public void markFailed(String eventId, String error) {
    jdbi.useHandle(h -> h.createUpdate("""
            update webhook_outbox set state = 'FAILED', last_error = :error
            where event_id = :id and state = 'PENDING'
            """)
        .bind("id", eventId).bind("error", truncate(error)).execute());
  }

  public Optional<OutboxRecord> find(String eventId) {
    return jdbi.withHandle(h -> h.createQuery("select * from webhook_outbox where event_id = :id")
        .bind("id", eventId).map((rs, ctx) -> map(rs)).findOne());
  }

  /** A delivery's status events in the order they were queued. */
  public List<OutboxRecord> forDelivery(String deliveryId) {
    return jdbi.withHandle(h -> h.createQuery(
            "select * from webhook_outbox where delivery_id = :d order by id")
        .bind("d", deliveryId).map((rs, ctx) -> map(rs)).list());
  }

  private static String truncate(String error) {
    return error == null || error.length() <= 1000 ? error : error.substring(0, 1000);
  }

  private static OutboxRecord map(ResultSet rs) throws SQLException {
    Timestamp delivered = rs.getTimestamp("delivered_at");
    return new OutboxRecord(rs.getLong("id"), rs.getString("event_id"), rs.getString("tenant_id"),
        rs.getString("delivery_id"), rs.getString("type"), rs.getString("payload"),
        OutboxState.valueOf(rs.getString("state")), rs.getInt("attempts"),
        rs.getTimestamp("next_attempt_at").toInstant(), rs.getString("last_error"),
        rs.getTimestamp("created_at").toInstant(),
        delivered == null ? null : delivered.toInstant());
  }
}
