package dev.relay.store.tenant;

import dev.relay.store.Hashing;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.NewAuditEvent;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The life of API keys: made (value shown once), listed, rotated with an overlap, revoked. Only
 * a SHA-256 hash of each value is stored. Every change is written with its audit event in one
 * transaction (step {@code api-key}), so a key never changes without a trace.
 *
 * <p>Keys from configuration ({@code relay.bootstrap}) go through {@link #ensureConfigured}:
 * it only adds what is missing, so a key revoked through the API stays revoked even while the
 * configuration still names it.
 */
public class ApiKeyRepository {
  /** What every key made here starts with: lets secret scanners recognise a leaked Relay key. */
  public static final String VALUE_PREFIX = "rly_";
  static final int PREFIX_SHOWN = VALUE_PREFIX.length() + 8;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String COLUMNS = """
      id, tenant_id, role, name, prefix, source, created_at, expires_at, last_used_at,
      revoked_at, replaced_by""";

  private final Jdbi jdbi;

  public ApiKeyRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Adds a configured key unless its value is already known (whatever its state): configuration
   * never revives a revoked key, never changes a known key's tenant or role.
   *
   * @return true when it was added
   */
  public boolean ensureConfigured(String value, String tenantId, Role role, String name) {
    return jdbi.withHandle(h -> h.createUpdate("""
            insert into api_keys (id, key_hash, tenant_id, role, name, source)
            values (:id, :hash, :tenant, :role, :name, 'bootstrap')
            on conflict (key_hash) do nothing
            """)
        .bind("id", "key_" + Hashing.sha256Hex(value).substring(0, 20))
        .bind("hash", Hashing.sha256Hex(value))
        .bind("tenant", tenantId)
        .bind("role", role.dbValue())
        .bind("name", name)
        .execute() == 1);
  }

  /** The principal of a presented value, unless it is unknown, revoked or expired. */
  public Optional<ApiKeyPrincipal> authenticate(String value) {
    return jdbi.withHandle(h -> h.createQuery("""
            select id, tenant_id, role, name from api_keys
            where key_hash = :hash and revoked_at is null
              and (expires_at is null or expires_at > now())
            """)
        .bind("hash", Hashing.sha256Hex(value))
        .map((rs, ctx) -> new ApiKeyPrincipal(rs.getString("tenant_id"),
            Role.fromDb(rs.getString("role")), rs.getString("name"), rs.getString("id")))
        .findOne());
  }

  /** Records a use of the key (the caller decides how often: this is a write). */
  public void touch(String keyId) {
    jdbi.useHandle(h -> h.createUpdate(
            "update api_keys set last_used_at = now() where id = :id")
        .bind("id", keyId).execute());
  }

  /** The tenant's keys, oldest first; never their values. */
  public List<ApiKey> list(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery(
            "select " + COLUMNS + " from api_keys where tenant_id = :t order by created_at, id")
        .bind("t", tenantId)
        .map((rs, ctx) -> map(rs))
        .list());
  }

  public Optional<ApiKey> find(String tenantId, String id) {
    return jdbi.withHandle(h -> find(h, tenantId, id, false));
  }

  /** Makes a key; its value is in the answer and nowhere else. */
  public IssuedKey create(String tenantId, Role role, String name, Instant expiresAt,
      String actor) {
    return jdbi.inTransaction(h -> {
      IssuedKey issued = insert(h, tenantId, role, name, expiresAt);
      audit(h, tenantId, actor, "created", issued.key());
      return issued;
    });
  }

  /**
   * Makes a successor of key {@code id} (same role and name) and lets the old one work for
   * {@code overlap} from {@code now} (or until its own earlier expiry), so clients can switch
   * without an outage. A key made to expire gets a successor with the same lifetime, counted
   * from {@code now}; that is computed under the old key's row lock, so a concurrent change of
   * the old key cannot slip between reading its lifetime and rotating it.
   *
   * @return what happened, or empty when the tenant has no such key
   */
  public Optional<KeyRotation> rotate(String tenantId, String id, Instant now, Duration overlap,
      String actor) {
    return jdbi.inTransaction(h -> {
      Optional<ApiKey> found = find(h, tenantId, id, true);
      if (found.isEmpty()) {
        return Optional.<KeyRotation>empty();
      }
      ApiKey old = found.get();
      if (!old.activeAt(now)) {
        return Optional.<KeyRotation>of(new KeyRotation.Inactive(old));
      }
      Instant nextExpiry = old.expiresAt() == null ? null
          : now.plus(Duration.between(old.createdAt(), old.expiresAt()));
      IssuedKey next = insert(h, tenantId, old.role(), old.name(), nextExpiry);
      h.createUpdate("""
              update api_keys set replaced_by = :next,
                expires_at = case when expires_at is null or expires_at > :until then :until
                                  else expires_at end
              where id = :id
              """)
          .bind("next", next.key().id())
          .bind("until", Timestamp.from(now.plus(overlap)))
          .bind("id", id)
          .execute();
      ApiKey retired = find(h, tenantId, id, false).orElseThrow();
      audit(h, tenantId, actor, "rotated", retired,
          "replaced by " + next.key().id() + ", old key works until " + retired.expiresAt());
      audit(h, tenantId, actor, "created", next.key());
      return Optional.<KeyRotation>of(new KeyRotation.Rotated(next, retired));
    });
  }

  /**
   * Revokes key {@code id} at once (idempotent: revoking a revoked key changes nothing and writes
   * no second audit event).
   *
   * @return the key as it is now, or empty when the tenant has no such key
   */
  public Optional<ApiKey> revoke(String tenantId, String id, String actor) {
    return jdbi.inTransaction(h -> {
      Optional<ApiKey> key = find(h, tenantId, id, true);
      if (key.isEmpty() || key.get().revokedAt() != null) {
        return key;
      }
      h.createUpdate("update api_keys set revoked_at = now() where id = :id")
          .bind("id", id).execute();
      ApiKey revoked = find(h, tenantId, id, false).orElseThrow();
      audit(h, tenantId, actor, "revoked", revoked);
      return Optional.of(revoked);
    });
  }

  private static IssuedKey insert(Handle h, String tenantId, Role role, String name,
      Instant expiresAt) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String value = VALUE_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    byte[] idBytes = new byte[10];
    RANDOM.nextBytes(idBytes);
    String id = "key_" + HexFormat.of().formatHex(idBytes);
    ApiKey key = h.createQuery("""
            insert into api_keys (id, key_hash, tenant_id, role, name, prefix, source, expires_at)
            values (:id, :hash, :tenant, :role, :name, :prefix, 'api', :expires)
            returning\s""" + COLUMNS)
        .bind("id", id)
        .bind("hash", Hashing.sha256Hex(value))
        .bind("tenant", tenantId)
        .bind("role", role.dbValue())
        .bind("name", name)
        .bind("prefix", value.substring(0, PREFIX_SHOWN))
        .bind("expires", expiresAt == null ? null : Timestamp.from(expiresAt))
        .map((rs, ctx) -> map(rs))
        .one();
    return new IssuedKey(key, value);
  }

  private static Optional<ApiKey> find(Handle h, String tenantId, String id, boolean lock) {
    return h.createQuery("select " + COLUMNS + " from api_keys where tenant_id = :t and id = :id"
            + (lock ? " for update" : ""))
        .bind("t", tenantId)
        .bind("id", id)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  private static void audit(Handle h, String tenantId, String actor, String outcome, ApiKey key) {
    audit(h, tenantId, actor, outcome, key, null);
  }

  private static void audit(Handle h, String tenantId, String actor, String outcome, ApiKey key,
      String more) {
    String detail = "key " + key.id() + " (" + key.role().dbValue() + ", \"" + key.name() + "\""
        + (key.prefix() == null ? "" : ", " + key.prefix() + "…")
        + (key.expiresAt() == null ? "" : ", expires " + key.expiresAt()) + ")"
        + (more == null ? "" : ": " + more);
    AuditRepository.appendAll(h, List.of(new NewAuditEvent(tenantId, null, null, Instant.now(),
        actor, "api-key", outcome, detail, null, null, null, null, null, null)));
  }

  private static ApiKey map(ResultSet rs) throws SQLException {
    return new ApiKey(rs.getString("id"), rs.getString("tenant_id"),
        Role.fromDb(rs.getString("role")), rs.getString("name"), rs.getString("prefix"),
        rs.getString("source"), instant(rs, "created_at"), instant(rs, "expires_at"),
        instant(rs, "last_used_at"), instant(rs, "revoked_at"), rs.getString("replaced_by"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
