package dev.relay.store.audit;

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
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The append-only, tamper-evident audit trail. Each row's hash is an HMAC (with an audit key that
 * is not in the database, {@link AuditKeys}) over its content and the previous row's hash within
 * the tenant, so editing or removing a row breaks the chain from there on ({@link #verifyChain}),
 * and without the key it cannot be re-hashed. The runtime role may only INSERT and SELECT; the
 * database refuses UPDATE, DELETE and TRUNCATE even to the owner. Signed checkpoints
 * ({@link AuditCheckpoint}) pin the chain's head so that removing the newest rows shows too.
 */
public class AuditRepository {
  /** The hash of "nothing before": the first row of every tenant chains to it. */
  public static final String GENESIS = AuditChain.GENESIS;

  private final Jdbi jdbi;
  private final AuditKeys keys;

  /** With the keys configured on {@code jdbi} ({@link AuditKeysConfig}). */
  public AuditRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.keys = jdbi.getConfig(AuditKeysConfig.class).keys();
  }

  public AuditKeys keys() {
    return keys;
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
    AuditKey signing = h.getConfig(AuditKeysConfig.class).keys().current();
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
          found = chained(signing, head, e);
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
  private static AuditRecord chained(AuditKey key, AuditRecord head, NewAuditEvent e) {
    long chainSeq = head == null ? 1L : head.chainSeq() + 1;
    String prevHash = head == null ? GENESIS : head.hash();
    // Postgres keeps microseconds: hash what will be read back. recorded_at is the database's
    // clock (filled in from the insert below) and not hashed.
    Instant occurredAt = e.occurredAt().truncatedTo(ChronoUnit.MICROS);
    AuditRecord unsigned = new AuditRecord(chainSeq, e.tenantId(), e.deliveryId(), e.sequence(),
        occurredAt, null, e.actor(), e.step(), e.outcome(), e.detail(), e.status(), e.channel(),
        e.attempts(), e.consentVersion(), e.provider(), e.providerMessageId(), prevHash, null,
        key.id());
    String hash = AuditChain.expectedHash(new SingleKey(key), unsigned);
    return withHash(unsigned, hash, null);
  }

  private static AuditRecord withHash(AuditRecord r, String hash, Instant recordedAt) {
    return new AuditRecord(r.chainSeq(), r.tenantId(), r.deliveryId(), r.sequence(),
        r.occurredAt(), recordedAt, r.actor(), r.step(), r.outcome(), r.detail(), r.status(),
        r.channel(), r.attempts(), r.consentVersion(), r.provider(), r.providerMessageId(),
        r.prevHash(), hash, r.keyId());
  }

  /** The signing key alone, for hashing a new row. */
  private record SingleKey(AuditKey key) implements AuditKeys {
    @Override
    public AuditKey current() {
      return key;
    }

    @Override
    public Optional<AuditKey> byId(String id) {
      return key.id().equals(id) ? Optional.of(key) : Optional.empty();
    }
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
          provider, provider_message_id, prev_hash, hash, key_id)
        values (:t, :chainSeq, :d, :s, :occurredAt, :actor, :step, :outcome, :detail,
          :status, :channel, :attempts, :consentVersion, :provider, :providerMessageId,
          :prevHash, :hash, :keyId)
        """);
    for (AuditRecord r : rows) {
      batch.bind("t", r.tenantId()).bind("chainSeq", r.chainSeq()).bind("d", r.deliveryId())
          .bind("s", r.sequence()).bind("occurredAt", Timestamp.from(r.occurredAt()))
          .bind("actor", r.actor()).bind("step", r.step()).bind("outcome", r.outcome())
          .bind("detail", r.detail()).bind("status", r.status()).bind("channel", r.channel())
          .bind("attempts", r.attempts()).bind("consentVersion", r.consentVersion())
          .bind("provider", r.provider()).bind("providerMessageId", r.providerMessageId())
          .bind("prevHash", r.prevHash()).bind("hash", r.hash()).bind("keyId", r.keyId())
          .add();
    }
    // pgjdbc returns a batch's generated keys in the order the rows were added.
    List<Instant> recorded = batch.executePreparedBatch("recorded_at")
        .map((rs, ctx) -> rs.getTimestamp("recorded_at").toInstant()).list();
    for (int i = 0; i < rows.size(); i++) {
      AuditRecord r = rows.get(i);
      stored.put(r, withHash(r, r.hash(), recorded.get(i)));
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

  /**
   * Recomputes the tenant's whole chain from the first row and checks it against the newest
   * signed checkpoint; reports the first break. Costs O(tenant's rows): the scheduled verifier
   * ({@link #verifyFrom}) and {@link #checkRows} are the cheap paths.
   */
  public ChainVerification verifyChain(String tenantId) {
    return jdbi.withHandle(h -> {
      long legacyUntil = legacyHead(h, tenantId);
      AuditChain.Walker walker = new AuditChain.Walker(keys);
      ChainBreak[] legacyBreak = new ChainBreak[1];
      try (Stream<AuditRecord> rows = h.createQuery(
              "select * from audit_events where tenant_id = :t order by chain_seq")
          .bind("t", tenantId).setFetchSize(1000).map((rs, ctx) -> map(rs)).stream()) {
        rows.takeWhile(r -> {
          if (r.keyId() == null && r.chainSeq() > legacyUntil && legacyBreak[0] == null) {
            legacyBreak[0] = new ChainBreak(tenantId, r.chainSeq(), "row " + r.chainSeq()
                + " is unkeyed but keyed hashing started after row " + legacyUntil);
            return false;
          }
          return walker.next(r);
        }).forEach(r -> { });
      }
      ChainBreak found = legacyBreak[0] != null ? legacyBreak[0] : walker.firstBreak();
      if (found == null) {
        found = latestCheckpoint(h, tenantId)
            .flatMap(c -> checkpointBreak(c, walker.lastSeq(), rowAt(h, tenantId, c.chainSeq())))
            .orElse(null);
      }
      return found == null ? ChainVerification.intact(walker.checked())
          : ChainVerification.broken(walker.checked(), found);
    });
  }

  /**
   * What a checkpoint says about the chain: its signature holds, the chain still reaches it, and
   * its row still has the hash it pinned.
   */
  private Optional<ChainBreak> checkpointBreak(AuditCheckpoint c, long headSeq, AuditRecord row) {
    Optional<String> bad = AuditChain.checkCheckpoint(keys, c);
    if (bad.isPresent()) {
      return Optional.of(new ChainBreak(c.tenantId(), c.chainSeq(), bad.get()));
    }
    if (headSeq < c.chainSeq() || row == null) {
      return Optional.of(new ChainBreak(c.tenantId(), headSeq + 1, "the chain ends at row "
          + headSeq + " but a signed checkpoint covers row " + c.chainSeq()
          + ": the newest rows were removed"));
    }
    if (!row.hash().equals(c.hash())) {
      return Optional.of(new ChainBreak(c.tenantId(), c.chainSeq(), "row " + c.chainSeq()
          + " no longer has the hash its signed checkpoint pinned: it was rewritten"));
    }
    return Optional.empty();
  }

  /**
   * Incremental verification: the rows after the tenant's newest checkpoint (at most
   * {@code maxRows}), linked to it. The result says where a new checkpoint may be written.
   */
  public IncrementalVerification verifyFrom(String tenantId, int maxRows) {
    return jdbi.withHandle(h -> {
      Optional<AuditCheckpoint> cp = latestCheckpoint(h, tenantId);
      long legacyUntil = legacyHead(h, tenantId);
      long headSeq = h.createQuery(
              "select coalesce(max(chain_seq), 0) from audit_events where tenant_id = :t")
          .bind("t", tenantId).mapTo(Long.class).one();
      AuditChain.Walker walker;
      if (cp.isPresent()) {
        AuditCheckpoint c = cp.get();
        Optional<ChainBreak> bad = checkpointBreak(c, headSeq, rowAt(h, tenantId, c.chainSeq()));
        if (bad.isPresent()) {
          return new IncrementalVerification(tenantId, cp.orElse(null), 0, headSeq, bad.get(),
              null);
        }
        walker = new AuditChain.Walker(keys, c.chainSeq(), c.hash(), c.chainSeq() > legacyUntil);
      } else {
        walker = new AuditChain.Walker(keys);
      }
      AuditRecord last = null;
      ChainBreak legacyBreak = null;
      for (AuditRecord r : rowsAfter(h, tenantId, walker.lastSeq(), maxRows)) {
        if (r.keyId() == null && r.chainSeq() > legacyUntil) {
          legacyBreak = new ChainBreak(tenantId, r.chainSeq(), "row " + r.chainSeq()
              + " is unkeyed but keyed hashing started after row " + legacyUntil);
          break;
        }
        if (!walker.next(r)) {
          break;
        }
        last = r;
      }
      ChainBreak found = legacyBreak != null ? legacyBreak : walker.firstBreak();
      return new IncrementalVerification(tenantId, cp.orElse(null), walker.checked(), headSeq,
          found, found == null ? last : null);
    });
  }

  /**
   * Checks each row on its own (its hash against its content and the prev_hash it stores):
   * O(rows given). Answers the first row that fails, or empty.
   */
  public Optional<ChainBreak> checkRows(List<AuditRecord> rows) {
    for (AuditRecord r : rows) {
      Optional<String> bad = AuditChain.checkRow(keys, r);
      if (bad.isPresent()) {
        return Optional.of(new ChainBreak(r.tenantId(), r.chainSeq(), bad.get()));
      }
    }
    return Optional.empty();
  }

  /** Signs and stores a checkpoint at {@code row} (a row the caller verified). */
  public AuditCheckpoint checkpoint(AuditRecord row, Instant now) {
    AuditKey key = keys.current();
    Instant at = now.truncatedTo(ChronoUnit.MICROS);
    AuditCheckpoint c = new AuditCheckpoint(row.tenantId(), row.chainSeq(), row.hash(), at,
        key.id(), AuditChain.sign(key, row.tenantId(), row.chainSeq(), row.hash(), at));
    jdbi.useHandle(h -> h.createUpdate("""
            insert into audit_checkpoints (tenant_id, chain_seq, hash, created_at, key_id,
              signature)
            values (:t, :s, :h, :at, :k, :sig)
            on conflict (tenant_id, chain_seq) do nothing
            """)
        .bind("t", c.tenantId()).bind("s", c.chainSeq()).bind("h", c.hash())
        .bind("at", Timestamp.from(c.createdAt())).bind("k", c.keyId())
        .bind("sig", c.signature()).execute());
    return latestCheckpoint(row.tenantId()).filter(s -> s.chainSeq() == row.chainSeq())
        .orElse(c);
  }

  /** The tenant's newest checkpoint, if any. */
  public Optional<AuditCheckpoint> latestCheckpoint(String tenantId) {
    return jdbi.withHandle(h -> latestCheckpoint(h, tenantId));
  }

  /** The newest checkpoint at or after {@code chainSeq}: one that covers that row. */
  public Optional<AuditCheckpoint> checkpointCovering(String tenantId, long chainSeq) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from audit_checkpoints where tenant_id = :t and chain_seq >= :s
            order by chain_seq desc limit 1
            """)
        .bind("t", tenantId).bind("s", chainSeq).map((rs, ctx) -> mapCheckpoint(rs))
        .findOne());
  }

  /** Checkpoints after {@code afterSeq}, oldest first. */
  public List<AuditCheckpoint> checkpointsAfter(String tenantId, long afterSeq) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from audit_checkpoints where tenant_id = :t and chain_seq > :s
            order by chain_seq
            """)
        .bind("t", tenantId).bind("s", afterSeq).map((rs, ctx) -> mapCheckpoint(rs)).list());
  }

  /** Rows {@code from}..{@code to} (chain_seq, inclusive) in chain order. */
  public List<AuditRecord> range(String tenantId, long from, long to) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from audit_events where tenant_id = :t and chain_seq between :f and :to
            order by chain_seq
            """)
        .bind("t", tenantId).bind("f", from).bind("to", to).map((rs, ctx) -> map(rs)).list());
  }

  /**
   * Re-imports a tenant's trail from its off-site copy into a database that has none of it (after
   * the database was lost): the rows as they were (hashes, key IDs, recorded_at), the
   * checkpoints, and the export records, so the next export goes on after them. Nothing is
   * re-signed; verify the copy first. Run as the owner role (it records where unkeyed rows end).
   */
  public void restore(String tenantId, List<AuditRecord> rows, List<AuditCheckpoint> checkpoints,
      List<AuditExportRepository.ExportedSegment> segments) {
    jdbi.useTransaction(h -> {
      h.execute("select pg_advisory_xact_lock(hashtext(?))", "audit:" + tenantId);
      long existing = h.createQuery("select count(*) from audit_events where tenant_id = :t")
          .bind("t", tenantId).mapTo(Long.class).one();
      if (existing > 0) {
        throw new IllegalStateException("tenant " + tenantId + " already has " + existing
            + " audit rows here: restore only into a database without them");
      }
      PreparedBatch batch = h.prepareBatch("""
          insert into audit_events (tenant_id, chain_seq, delivery_id, sequence, occurred_at,
            recorded_at, actor, step, outcome, detail, status, channel, attempts,
            consent_version, provider, provider_message_id, prev_hash, hash, key_id)
          values (:t, :chainSeq, :d, :s, :occurredAt, :recordedAt, :actor, :step, :outcome,
            :detail, :status, :channel, :attempts, :consentVersion, :provider,
            :providerMessageId, :prevHash, :hash, :keyId)
          """);
      long lastUnkeyed = 0;
      String lastUnkeyedHash = null;
      for (AuditRecord r : rows) {
        if (!r.tenantId().equals(tenantId)) {
          throw new IllegalArgumentException("row " + r.chainSeq() + " is tenant "
              + r.tenantId() + "'s, not " + tenantId + "'s");
        }
        if (r.keyId() == null) {
          lastUnkeyed = r.chainSeq();
          lastUnkeyedHash = r.hash();
        }
        batch.bind("t", tenantId).bind("chainSeq", r.chainSeq()).bind("d", r.deliveryId())
            .bind("s", r.sequence()).bind("occurredAt", Timestamp.from(r.occurredAt()))
            .bind("recordedAt", Timestamp.from(r.recordedAt() == null ? r.occurredAt()
                : r.recordedAt()))
            .bind("actor", r.actor()).bind("step", r.step()).bind("outcome", r.outcome())
            .bind("detail", r.detail()).bind("status", r.status()).bind("channel", r.channel())
            .bind("attempts", r.attempts()).bind("consentVersion", r.consentVersion())
            .bind("provider", r.provider()).bind("providerMessageId", r.providerMessageId())
            .bind("prevHash", r.prevHash()).bind("hash", r.hash()).bind("keyId", r.keyId())
            .add();
      }
      if (!rows.isEmpty()) {
        batch.execute();
      }
      if (lastUnkeyed > 0) {
        h.execute("insert into audit_legacy_heads (tenant_id, chain_seq, hash) values (?, ?, ?)"
            + " on conflict do nothing", tenantId, lastUnkeyed, lastUnkeyedHash);
      }
      for (AuditCheckpoint c : checkpoints) {
        h.execute("""
            insert into audit_checkpoints (tenant_id, chain_seq, hash, created_at, key_id,
              signature) values (?, ?, ?, ?, ?, ?) on conflict do nothing""",
            c.tenantId(), c.chainSeq(), c.hash(), Timestamp.from(c.createdAt()), c.keyId(),
            c.signature());
      }
      for (AuditExportRepository.ExportedSegment s : segments) {
        h.execute("""
            insert into audit_exports (tenant_id, from_chain_seq, to_chain_seq, object_key, sha256)
            values (?, ?, ?, ?, ?) on conflict do nothing""",
            s.tenantId(), s.fromChainSeq(), s.toChainSeq(), s.objectKey(), s.sha256());
      }
    });
  }

  /** Every tenant that has audit rows. */
  public List<String> tenants() {
    return jdbi.withHandle(h -> h.createQuery("""
            select t.id from tenants t
            where exists (select 1 from audit_events a where a.tenant_id = t.id)
            union select tenant_id from audit_legacy_heads order by 1
            """).mapTo(String.class).list());
  }

  private static Optional<AuditCheckpoint> latestCheckpoint(Handle h, String tenantId) {
    return h.createQuery("""
            select * from audit_checkpoints where tenant_id = :t order by chain_seq desc limit 1
            """)
        .bind("t", tenantId).map((rs, ctx) -> mapCheckpoint(rs)).findOne();
  }

  private static AuditRecord rowAt(Handle h, String tenantId, long chainSeq) {
    return h.createQuery("select * from audit_events where tenant_id = :t and chain_seq = :s")
        .bind("t", tenantId).bind("s", chainSeq).map((rs, ctx) -> map(rs)).findOne()
        .orElse(null);
  }

  private static List<AuditRecord> rowsAfter(Handle h, String tenantId, long afterSeq, int max) {
    return h.createQuery("""
            select * from audit_events where tenant_id = :t and chain_seq > :s
            order by chain_seq limit :n
            """)
        .bind("t", tenantId).bind("s", afterSeq).bind("n", max).map((rs, ctx) -> map(rs)).list();
  }

  /** The last chain_seq hashed the old, unkeyed way (0: none); recorded by migration V5. */
  private static long legacyHead(Handle h, String tenantId) {
    return h.createQuery("select chain_seq from audit_legacy_heads where tenant_id = :t")
        .bind("t", tenantId).mapTo(Long.class).findOne().orElse(0L);
  }

  private static AuditCheckpoint mapCheckpoint(ResultSet rs) throws SQLException {
    return new AuditCheckpoint(rs.getString("tenant_id"), rs.getLong("chain_seq"),
        rs.getString("hash"), rs.getTimestamp("created_at").toInstant(), rs.getString("key_id"),
        rs.getString("signature"));
  }

  private static AuditRecord map(ResultSet rs) throws SQLException {
    return new AuditRecord(rs.getLong("chain_seq"), rs.getString("tenant_id"),
        rs.getString("delivery_id"), (Long) rs.getObject("sequence", Long.class),
        rs.getTimestamp("occurred_at").toInstant(), rs.getTimestamp("recorded_at").toInstant(),
        rs.getString("actor"), rs.getString("step"), rs.getString("outcome"),
        rs.getString("detail"), rs.getString("status"), rs.getString("channel"),
        rs.getObject("attempts", Integer.class), rs.getObject("consent_version", Integer.class),
        rs.getString("provider"), rs.getString("provider_message_id"),
        rs.getString("prev_hash"), rs.getString("hash"), rs.getString("key_id"));
  }
}
