package dev.relay.store.delivery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Idempotency records and the status projection of deliveries. */
public class DeliveryRepository {
  private final Jdbi jdbi;

  public DeliveryRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Records a delivery under (tenant, idempotency key) unless the key is known. The unique
   * constraint decides races: of two concurrent requests with one key exactly one inserts.
   */
  public AcceptOutcome accept(String id, String tenantId, String idempotencyKey,
      String requestHash, String requestJson, String recipientId, String purpose,
      String templateId, String initialStatus) {
    return jdbi.inTransaction(h -> {
      int inserted = h.createUpdate("""
              insert into deliveries (id, tenant_id, idempotency_key, request_hash, request,
                recipient_id, purpose, template_id, status)
              values (:id, :t, :key, :hash, cast(:json as jsonb), :recipient, :purpose, :template, :status)
              on conflict do nothing
              """)
          .bind("id", id).bind("t", tenantId).bind("key", idempotencyKey)
          .bind("hash", requestHash).bind("json", requestJson).bind("recipient", recipientId)
          .bind("purpose", purpose).bind("template", templateId).bind("status", initialStatus)
          .execute();
      DeliveryRecord existing = h.createQuery(
              "select * from deliveries where tenant_id = :t and idempotency_key = :key")
          .bind("t", tenantId).bind("key", idempotencyKey)
          .map((rs, ctx) -> map(rs))
          .one();
      if (inserted == 1) {
        return new AcceptOutcome.Created(existing);
      }
      return existing.requestHash().equals(requestHash)
          ? new AcceptOutcome.Duplicate(existing)
          : new AcceptOutcome.Conflict(existing);
    });
  }

  public void markWorkflowStarted(String id) {
    jdbi.useHandle(h -> h.createUpdate(
            "update deliveries set workflow_started = true where id = :id and not workflow_started")
        .bind("id", id).execute());
  }

  public Optional<DeliveryRecord> find(String tenantId, String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "select * from deliveries where tenant_id = :t and id = :id")
        .bind("t", tenantId).bind("id", id)
        .map((rs, ctx) -> map(rs))
        .findOne());
  }

  /**
   * A page of a tenant's deliveries, newest first, optionally filtered. Keyset pagination:
   * pass the last row's (createdAt, id) to get the next page.
   */
  public List<DeliveryRecord> page(String tenantId, String status, String recipientId,
      Instant beforeCreatedAt, String beforeId, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from deliveries where tenant_id = :t
              and (cast(:status as text) is null or status = :status)
              and (cast(:recipient as text) is null or recipient_id = :recipient)
              and (cast(:beforeAt as timestamptz) is null or (created_at, id) < (:beforeAt, :beforeId))
            order by created_at desc, id desc
            limit :limit
            """)
        .bind("t", tenantId).bind("status", status).bind("recipient", recipientId)
        .bind("beforeAt", beforeCreatedAt).bind("beforeId", beforeId).bind("limit", limit)
        .map((rs, ctx) -> map(rs))
        .list());
  }

  /** Accepted deliveries whose workflow start is not confirmed yet, oldest first. */
  public List<DeliveryRecord> notStarted(int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from deliveries where not workflow_started order by created_at limit :limit
            """)
        .bind("limit", limit)
        .map((rs, ctx) -> map(rs))
        .list());
  }

  /**
   * Applies a workflow status event to the projection, in the caller's transaction. Events carry
   * the workflow's sequence number, so a late or replayed event never moves the status back.
   */
  public static void applyStatus(Handle h, String deliveryId, long sequence, String status,
      String channel, int attempts, String reason) {
    h.createUpdate("""
            update deliveries set status = :status, channel = coalesce(:channel, channel),
              attempts = :attempts, reason = :reason, last_sequence = :seq, updated_at = now()
            where id = :id and last_sequence < :seq
            """)
        .bind("id", deliveryId).bind("seq", sequence).bind("status", status)
        .bind("channel", channel).bind("attempts", attempts).bind("reason", reason)
        .execute();
  }

  private static DeliveryRecord map(ResultSet rs) throws SQLException {
    return new DeliveryRecord(rs.getString("id"), rs.getString("tenant_id"),
        rs.getString("idempotency_key"), rs.getString("request_hash"), rs.getString("request"),
        rs.getString("recipient_id"), rs.getString("purpose"), rs.getString("template_id"),
        rs.getString("status"), rs.getString("channel"), rs.getInt("attempts"),
        rs.getString("reason"), rs.getBoolean("workflow_started"),
        rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
  }
}
