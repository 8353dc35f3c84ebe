package dev.relay.store.delivery;

import dev.relay.store.sealed.AtRest;
import dev.relay.store.sealed.DataErasedException;
import dev.relay.store.sealed.SealedField;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Idempotency records and the status projection of deliveries. The accepted request body is
 * sealed with the recipient's data key ({@link SealedField#DELIVERY_REQUEST}); rows accepted
 * before encryption at rest keep their plaintext {@code request} until the backfill seals it.
 */
public class DeliveryRepository {
  private final Jdbi jdbi;

  public DeliveryRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Records a delivery under (tenant, idempotency key) unless the key is known. The unique
   * constraint decides races: of two concurrent requests with one key exactly one inserts. The
   * row is not claimed, so the next sweep of {@link #claimUnstarted} starts its workflow.
   */
  public AcceptOutcome accept(String id, String tenantId, String idempotencyKey,
      String requestHash, String requestJson, String recipientId, String purpose,
      String templateId, String initialStatus) {
    return accept(new NewDelivery(id, tenantId, idempotencyKey, requestHash, requestJson,
        recipientId, purpose, templateId, initialStatus), Duration.ZERO);
  }

  /**
   * Like {@link #accept(String, String, String, String, String, String, String, String, String)},
   * but a new row is born claimed for {@code startClaim}: the caller kicks its workflow start
   * itself, and sweepers leave the row alone until the claim runs out or is released.
   */
  public AcceptOutcome accept(NewDelivery delivery, Duration startClaim) {
    return accept(delivery, startClaim, AcceptCharge.NONE);
  }

  /**
   * Like {@link #accept(NewDelivery, Duration)}; {@code charge} runs in the same transaction when
   * the row is new (and may refuse it by throwing).
   */
  public AcceptOutcome accept(NewDelivery delivery, Duration startClaim, AcceptCharge charge) {
    return jdbi.inTransaction(h -> {
      boolean inserted = insert(h, List.of(delivery), startClaim).contains(delivery.id());
      if (inserted) {
        charge.charge(h, List.of(delivery));
      }
      DeliveryRecord existing = h.createQuery(
              "select * from deliveries where tenant_id = :t and idempotency_key = :key")
          .bind("t", delivery.tenantId()).bind("key", delivery.idempotencyKey())
          .map(mapper(h))
          .one();
      return outcome(inserted, existing, delivery.requestHash());
    });
  }

  /**
   * Records many deliveries of one tenant in ONE transaction: either every new row is written or
   * none is (a failure rolls all back). Returns one outcome per input, in input order. Keys must
   * be distinct (the caller settles duplicates within a request). New rows are born claimed for
   * {@code startClaim}, like {@link #accept(NewDelivery, Duration)}.
   */
  public List<AcceptOutcome> acceptAll(String tenantId, List<NewDelivery> batch,
      Duration startClaim) {
    return acceptAll(tenantId, batch, startClaim, AcceptCharge.NONE);
  }

  /**
   * Like {@link #acceptAll(String, List, Duration)}; {@code charge} runs in the same transaction
   * with the rows that are new (and may refuse them all by throwing: nothing is written).
   */
  public List<AcceptOutcome> acceptAll(String tenantId, List<NewDelivery> batch,
      Duration startClaim, AcceptCharge charge) {
    if (batch.isEmpty()) {
      return List.of();
    }
    Set<String> keys = new HashSet<>();
    for (NewDelivery d : batch) {
      if (!d.tenantId().equals(tenantId) || !keys.add(d.idempotencyKey())) {
        throw new IllegalArgumentException(
            "a batch is one tenant's and has distinct idempotency keys: " + d.idempotencyKey());
      }
    }
    // Insert in key order: two overlapping batches then wait on each other's keys in one order
    // and cannot deadlock.
    List<NewDelivery> ordered = batch.stream()
        .sorted(Comparator.comparing(NewDelivery::idempotencyKey)).toList();
    return jdbi.inTransaction(h -> {
      Set<String> inserted = insert(h, ordered, startClaim);
      if (!inserted.isEmpty()) {
        charge.charge(h, ordered.stream().filter(d -> inserted.contains(d.id())).toList());
      }
      Map<String, DeliveryRecord> rows = byKeys(h, tenantId, keys);
      List<AcceptOutcome> outcomes = new ArrayList<>(batch.size());
      for (NewDelivery d : batch) {
        outcomes.add(outcome(inserted.contains(d.id()), rows.get(d.idempotencyKey()),
            d.requestHash()));
      }
      return outcomes;
    });
  }

  /** The tenant's deliveries under these idempotency keys, by key (unknown keys are absent). */
  public Map<String, DeliveryRecord> findByKeys(String tenantId, Collection<String> keys) {
    if (keys.isEmpty()) {
      return Map.of();
    }
    return jdbi.withHandle(h -> byKeys(h, tenantId, keys));
  }

  private static Map<String, DeliveryRecord> byKeys(Handle h, String tenantId,
      Collection<String> keys) {
    Map<String, DeliveryRecord> rows = new HashMap<>();
    h.createQuery("""
            select * from deliveries where tenant_id = :t and idempotency_key = any(:keys)
            """)
        .bind("t", tenantId).bind("keys", keys.toArray(String[]::new))
        .map(mapper(h))
        .forEach(r -> rows.put(r.idempotencyKey(), r));
    return rows;
  }

  /** Inserts the rows that are new (known keys are skipped); returns the IDs it inserted. */
  private static Set<String> insert(Handle h, List<NewDelivery> rows, Duration startClaim) {
    PreparedBatch batch = h.prepareBatch("""
        insert into deliveries (id, tenant_id, idempotency_key, request_hash, request_sealed,
          recipient_id, purpose, template_id, status, start_claimed_until)
        values (:id, :t, :key, :hash, :sealed, :recipient, :purpose, :template,
          :status, case when :claimMs > 0 then now() + :claimMs * interval '1 millisecond' end)
        on conflict do nothing
        """);
    AtRest.Session session = AtRest.session(h);
    for (NewDelivery d : rows) {
      batch.bind("id", d.id()).bind("t", d.tenantId()).bind("key", d.idempotencyKey())
          .bind("hash", d.requestHash())
          .bind("sealed", session.sealText(SealedField.DELIVERY_REQUEST, d.tenantId(),
              d.recipientId(), d.id(), d.requestJson()))
          .bind("recipient", d.recipientId()).bind("purpose", d.purpose())
          .bind("template", d.templateId()).bind("status", d.initialStatus())
          .bind("claimMs", startClaim.toMillis())
          .add();
    }
    return new HashSet<>(batch.executePreparedBatch("id").mapTo(String.class).list());
  }

  private static AcceptOutcome outcome(boolean inserted, DeliveryRecord row, String requestHash) {
    if (row == null) {
      // Delivery IDs are derived from (tenant, key), so another key's row cannot hold this ID.
      throw new IllegalStateException("delivery ID taken by another idempotency key");
    }
    if (inserted) {
      return new AcceptOutcome.Created(row);
    }
    return row.requestHash().equals(requestHash)
        ? new AcceptOutcome.Duplicate(row)
        : new AcceptOutcome.Conflict(row);
  }

  public void markWorkflowStarted(String id) {
    jdbi.useHandle(h -> h.createUpdate("""
            update deliveries set workflow_started = true, start_claimed_until = null
            where id = :id and not workflow_started
            """)
        .bind("id", id).execute());
  }

  /**
   * Gives an unstarted row back to the sweepers before its claim runs out (its start was not
   * attempted, or Temporal could not be reached).
   */
  public void releaseStartClaim(String id) {
    jdbi.useHandle(h -> h.createUpdate("""
            update deliveries set start_claimed_until = null where id = :id and not workflow_started
            """)
        .bind("id", id).execute());
  }

  /**
   * Claims up to {@code limit} unstarted, unclaimed rows (oldest first) for {@code lease}. Rows
   * another process is claiming at the same moment are skipped, so concurrent sweepers get
   * disjoint rows; a claimer that dies loses its rows when the lease runs out.
   */
  public List<DeliveryRecord> claimUnstarted(int limit, Duration lease) {
    return jdbi.inTransaction(h -> h.createQuery("""
            update deliveries set start_claimed_until = now() + :leaseMs * interval '1 millisecond'
            where id in (
              select id from deliveries
              where not workflow_started
                and (start_claimed_until is null or start_claimed_until < now())
              order by created_at
              limit :limit
              for update skip locked)
            returning *
            """)
        .bind("leaseMs", lease.toMillis()).bind("limit", limit)
        .map(mapper(h))
        .list()
        .stream().sorted(Comparator.comparing(DeliveryRecord::createdAt)).toList());
  }

  public Optional<DeliveryRecord> find(String tenantId, String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "select * from deliveries where tenant_id = :t and id = :id")
        .bind("t", tenantId).bind("id", id)
        .map(mapper(h))
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
        .map(mapper(h))
        .list());
  }

  /** Accepted deliveries whose workflow start is not confirmed yet, oldest first. */
  public List<DeliveryRecord> notStarted(int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from deliveries where not workflow_started order by created_at limit :limit
            """)
        .bind("limit", limit)
        .map(mapper(h))
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

  /**
   * Marks a delivery whose request can no longer be read (the recipient was erased before its
   * workflow started) as REJECTED and started, so no sweeper tries it again.
   */
  public void rejectErased(String id) {
    jdbi.useHandle(h -> h.createUpdate("""
            update deliveries set status = 'REJECTED', reason = 'recipient data erased',
              workflow_started = true, start_claimed_until = null, updated_at = now()
            where id = :id and not workflow_started
            """)
        .bind("id", id).execute());
  }

  /** Maps rows with one sealing session for the whole statement (one key lookup per recipient). */
  private static RowMapper<DeliveryRecord> mapper(Handle h) {
    AtRest.Session session = AtRest.session(h);
    return (rs, ctx) -> map(rs, session);
  }

  private static DeliveryRecord map(ResultSet rs, AtRest.Session session) throws SQLException {
    return new DeliveryRecord(rs.getString("id"), rs.getString("tenant_id"),
        rs.getString("idempotency_key"), rs.getString("request_hash"), request(rs, session),
        rs.getString("recipient_id"), rs.getString("purpose"), rs.getString("template_id"),
        rs.getString("status"), rs.getString("channel"), rs.getInt("attempts"),
        rs.getString("reason"), rs.getBoolean("workflow_started"),
        rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
  }

  /** The request body: sealed, or legacy plaintext; null once the recipient was erased. */
  private static String request(ResultSet rs, AtRest.Session session) throws SQLException {
    byte[] sealed = rs.getBytes("request_sealed");
    if (sealed == null) {
      return rs.getString("request");
    }
    try {
      return session.openText(SealedField.DELIVERY_REQUEST, rs.getString("tenant_id"),
          rs.getString("id"), sealed);
    } catch (DataErasedException e) {
      return null;
    }
  }
}
