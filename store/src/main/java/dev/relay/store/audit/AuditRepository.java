package dev.relay.store.audit;

import dev.relay.store.Hashing;
import dev.relay.store.delivery.DeliveryRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The append-only, tamper-evident audit trail. Each row's hash covers its content and the
 * previous row's hash within the tenant, so editing or removing a row breaks the chain from
 * there on ({@link #verifyChain}). The database refuses UPDATE, DELETE and TRUNCATE.
 */
public class AuditRepository {
  /** The hash of "nothing before": the first row of every tenant chains to it. */
  public static final String GENESIS = "0".repeat(64);

  private final Jdbi jdbi;

  public AuditRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Appends the event (and applies its status to the delivery projection) in one transaction.
   * Appends of one tenant are serialized by an advisory lock so the chain stays linear. If the
   * event's (delivery, sequence) is already stored, nothing changes and that row is returned.
   */
  public AuditRecord append(NewAuditEvent e) {
    return jdbi.inTransaction(h -> appendAll(h, List.of(e)).get(0));
  }

  /**
   * Appends events inside the caller's transaction {@code h}, so they commit (or not) together
   * with whatever else it writes. Events are appended in (tenant, sequence) order, each idempotent
   * on (delivery, sequence) as {@link #append} is; each delivery's status projection is moved by
   * its newest event that carries a status. Returns the stored rows (new or found) in the order
   * the events were given.
   *
   * <p>The tenant's advisory lock is held until {@code h} commits: keep the rest of that
   * transaction short, and take this lock after other row locks so that lock order is the same
   * everywhere (ledger or outbox rows first, the chain last).
   */
  public static List<AuditRecord> appendAll(Handle h, List<NewAuditEvent> events) {
    events.forEach(e -> Objects.requireNonNull(e.tenantId(), "tenantId"));
    // Tenants in a fixed order: two batches spanning the same tenants cannot deadlock.
    List<String> tenants = events.stream().map(NewAuditEvent::tenantId).distinct().sorted()
        .toList();
    tenants.forEach(t -> h.execute("select pg_advisory_xact_lock(hashtext(?))", "audit:" + t));
    // Set-based, because this runs inside the send's and the preparation's transactions: one
    // lookup of what a retry already stored, one chain head per tenant, one batched insert.
    Map<String, AuditRecord> already = existing(h, events);
    Map<NewAuditEvent, AuditRecord> stored = new IdentityHashMap<>();
    Map<String, NewAuditEvent> newestWithStatus = new LinkedHashMap<>();
    List<AuditRecord> fresh = new ArrayList<>();
    for (String tenant : tenants) {
      List<NewAuditEvent> ordered = events.stream()
          .filter(e -> e.tenantId().equals(tenant))
          .sorted(Comparator.comparing(e -> e.sequence() == null ? Long.MIN_VALUE : e.sequence()))
          .toList();
      AuditRecord head = null;
      for (NewAuditEvent e : ordered) {
        String key = key(e.deliveryId(), e.sequence());
        AuditRecord found = key == null ? null : already.get(key);
        if (found == null) {
          if (head == null) {
            head = chainHead(h, tenant);
          }
          found = chained(head, e);
          if (key != null) {
            already.put(key, found); // the same event twice in one batch: stored once
          }
          fresh.add(found);
          head = found;
        }
        stored.put(e, found);
        if (e.status() != null && e.deliveryId() != null && e.sequence() != null) {
          newestWithStatus.merge(e.deliveryId(), e,
              (a, b) -> b.sequence() > a.sequence() ? b : a);
        }
      }
    }
    Map<AuditRecord, AuditRecord> inserted = insert(h, fresh);
    stored.replaceAll((e, r) -> inserted.getOrDefault(r, r));
    // One update per delivery. Applying it again on a retry is harmless: the projection only
    // moves forward (last_sequence), so an older event never overwrites a newer status.
    newestWithStatus.values().forEach(e -> DeliveryRepository.applyStatus(h, e.deliveryId(),
        e.sequence(), e.status(), e.channel(), e.attempts() == null ? 0 : e.attempts(),
        e.detail()));
    return events.stream().map(stored::get).toList();
  }

  /** The rows already stored under the events' (delivery, sequence) keys: a retry's. */
  private static Map<String, AuditRecord> existing(Handle h, List<NewAuditEvent> events) {
    List<NewAuditEvent> keyed = events.stream()
        .filter(e -> e.deliveryId() != null && e.sequence() != null).toList();
    Map<String, AuditRecord> found = new HashMap<>();
    if (keyed.isEmpty()) {
      return found;
    }
    h.createQuery("""
            select a.* from audit_events a
            join unnest(:ds, :ss) as k(delivery_id, sequence)
              on a.delivery_id = k.delivery_id and a.sequence = k.sequence
            """)
        .bindArray("ds", String.class, keyed.stream().map(NewAuditEvent::deliveryId).toList())
        .bindArray("ss", Long.class, keyed.stream().map(NewAuditEvent::sequence).toList())
        .map((rs, ctx) -> map(rs))
        .forEach(r -> found.put(key(r.deliveryId(), r.sequence()), r));
    return found;
  }

  private static String key(String deliveryId, Long sequence) {
    return deliveryId == null || sequence == null ? null : deliveryId + "#" + sequence;
  }

  /** The tenant's newest row; null when its chain is empty. The caller holds the lock. */
  private static AuditRecord chainHead(Handle h, String tenant) {
    return h.createQuery("""
            select * from audit_events where tenant_id = :t order by chain_seq desc limit 1
            """)
        .bind("t", tenant).map((rs, ctx) -> map(rs)).findOne().orElse(null);
  }

  /** The row that follows {@code head} (null: the first of the chain) for {@code e}. */
  private static AuditRecord chained(AuditRecord head, NewAuditEvent e) {
    long chainSeq = head == null ? 1L : head.chainSeq() + 1;
    String prevHash = head == null ? GENESIS : head.hash();
    // Postgres keeps microseconds: hash what will be read back.
    Instant occurredAt = e.occurredAt().truncatedTo(ChronoUnit.MICROS);
    String hash = hash(prevHash, e.tenantId(), chainSeq, e.deliveryId(), e.sequence(),
        occurredAt, e.actor(), e.step(), e.outcome(), e.detail(), e.status(), e.channel(),
        e.attempts(), e.consentVersion(), e.provider(), e.providerMessageId());
    // recorded_at is the database's clock; filled in from the insert below.
    return new AuditRecord(chainSeq, e.tenantId(), e.deliveryId(), e.sequence(), occurredAt, null,
        e.actor(), e.step(), e.outcome(), e.detail(), e.status(), e.channel(), e.attempts(),
        e.consentVersion(), e.provider(), e.providerMessageId(), prevHash, hash);
  }

  /** Inserts the rows; answers each with its stored copy (recorded_at from the database). */
  private static Map<AuditRecord, AuditRecord> insert(Handle h, List<AuditRecord> rows) {
    Map<AuditRecord, AuditRecord> stored = new IdentityHashMap<>();
    if (rows.isEmpty()) {
      return stored;
    }
    PreparedBatch batch = h.prepareBatch("""
        insert into audit_events (tenant_id, chain_seq, delivery_id, sequence, occurred_at,
          actor, step, outcome, detail, status, channel, attempts, consent_version,
          provider, provider_message_id, prev_hash, hash)
        values (:t, :chainSeq, :d, :s, :occurredAt, :actor, :step, :outcome, :detail,
          :status, :channel, :attempts, :consentVersion, :provider, :providerMessageId,
          :prevHash, :hash)
        """);
    for (AuditRecord r : rows) {
      batch.bind("t", r.tenantId()).bind("chainSeq", r.chainSeq()).bind("d", r.deliveryId())
          .bind("s", r.sequence()).bind("occurredAt", Timestamp.from(r.occurredAt()))
          .bind("actor", r.actor()).bind("step", r.step()).bind("outcome", r.outcome())
          .bind("detail", r.detail()).bind("status", r.status()).bind("channel", r.channel())
          .bind("attempts", r.attempts()).bind("consentVersion", r.consentVersion())
          .bind("provider", r.provider()).bind("providerMessageId", r.providerMessageId())
          .bind("prevHash", r.prevHash()).bind("hash", r.hash())
          .add();
    }
    // pgjdbc returns a batch's generated keys in the order the rows were added.
    List<Instant> recorded = batch.executePreparedBatch("recorded_at")
        .map((rs, ctx) -> rs.getTimestamp("recorded_at").toInstant()).list();
    for (int i = 0; i < rows.size(); i++) {
      AuditRecord r = rows.get(i);
      stored.put(r, new AuditRecord(r.chainSeq(), r.tenantId(), r.deliveryId(), r.sequence(),
          r.occurredAt(), recorded.get(i), r.actor(), r.step(), r.outcome(), r.detail(),
          r.status(), r.channel(), r.attempts(), r.consentVersion(), r.provider(),
          r.providerMessageId(), r.prevHash(), r.hash()));
    }
    return stored;
  }

  /** A delivery's events in the order the workflow recorded them. */
  public List<AuditRecord> forDelivery(String tenantId, String deliveryId) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from audit_events where tenant_id = :t and delivery_id = :d
            order by sequence, chain_seq
            """)
        .bind("t", tenantId).bind("d", deliveryId).map((rs, ctx) -> map(rs)).list());
  }

  /** Recomputes the tenant's chain from the first row and reports the first broken link. */
  public ChainVerification verifyChain(String tenantId) {
    return jdbi.withHandle(h -> verify(h, tenantId));
  }

  private static ChainVerification verify(Handle h, String tenantId) {
    List<AuditRecord> rows = h.createQuery(
            "select * from audit_events where tenant_id = :t order by chain_seq")
        .bind("t", tenantId).map((rs, ctx) -> map(rs)).list();
    String prev = GENESIS;
    long expectedSeq = 1;
    for (AuditRecord r : rows) {
      String recomputed = hash(prev, r.tenantId(), r.chainSeq(), r.deliveryId(), r.sequence(),
          r.occurredAt(), r.actor(), r.step(), r.outcome(), r.detail(), r.status(), r.channel(),
          r.attempts(), r.consentVersion(), r.provider(), r.providerMessageId());
      if (r.chainSeq() != expectedSeq || !r.prevHash().equals(prev) || !r.hash().equals(recomputed)) {
        return new ChainVerification(false, rows.size(), r.chainSeq());
      }
      prev = r.hash();
      expectedSeq++;
    }
    return new ChainVerification(true, rows.size(), null);
  }

  static String hash(String prevHash, String tenantId, long chainSeq, String deliveryId,
      Long sequence, Instant occurredAt, String actor, String step, String outcome,
      String detail, String status, String channel, Integer attempts, Integer consentVersion,
      String provider, String providerMessageId) {
    // Unit separator between fields and an explicit marker for null, so no two different rows
    // can serialize to the same text.
    String canonical = Stream.of(prevHash, tenantId, chainSeq, deliveryId, sequence,
            occurredAt, actor, step, outcome, detail, status, channel, attempts, consentVersion,
            provider, providerMessageId)
        .map(v -> v == null ? "\u2400" : v.toString())
        .collect(Collectors.joining("\u001f"));
    return Hashing.sha256Hex(canonical);
  }

  private static AuditRecord map(ResultSet rs) throws SQLException {
    return new AuditRecord(rs.getLong("chain_seq"), rs.getString("tenant_id"),
        rs.getString("delivery_id"), (Long) rs.getObject("sequence", Long.class),
        rs.getTimestamp("occurred_at").toInstant(), rs.getTimestamp("recorded_at").toInstant(),
        rs.getString("actor"), rs.getString("step"), rs.getString("outcome"),
        rs.getString("detail"), rs.getString("status"), rs.getString("channel"),
        rs.getObject("attempts", Integer.class), rs.getObject("consent_version", Integer.class),
        rs.getString("provider"), rs.getString("provider_message_id"),
        rs.getString("prev_hash"), rs.getString("hash"));
  }
}
