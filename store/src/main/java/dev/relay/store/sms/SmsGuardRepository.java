package dev.relay.store.sms;

import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.NewAuditEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The SMS-pumping defence's state: each tenant's SMS settings, the pause a burst sets, and the
 * SMS counted for velocity limits. Counting is in PostgreSQL, serialized per tenant with a
 * transaction-scoped advisory lock, so the limits hold across every worker process. Settings
 * changes, pauses and lifts are audited in the same transaction (steps {@code sms-settings} and
 * {@code sms-pause}).
 */
public class SmsGuardRepository {
  private final Jdbi jdbi;

  public SmsGuardRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** What the tenant set (NONE when nothing). */
  public SmsSettings settings(String tenantId) {
    return jdbi.withHandle(h -> settings(h, tenantId));
  }

  /** The tenant's policy: {@code defaults} with what it set over them. */
  public SmsPolicy policy(String tenantId, SmsPolicy defaults) {
    return defaults.with(settings(tenantId));
  }

  /** Replaces what the tenant set (null fields: back to the default), audited. */
  public SmsSettings save(String tenantId, SmsSettings s, String actor) {
    return jdbi.inTransaction(h -> {
      h.createUpdate("""
              insert into sms_settings (tenant_id, allowed_regions, max_segments, recipient_limit,
                recipient_window_seconds, prefix_limit, prefix_window_seconds, prefix_digits,
                requires_relay_verification, updated_at)
              values (:t, :regions, :segments, :rl, :rw, :pl, :pw, :pd, :rv, now())
              on conflict (tenant_id) do update set allowed_regions = excluded.allowed_regions,
                max_segments = excluded.max_segments, recipient_limit = excluded.recipient_limit,
                recipient_window_seconds = excluded.recipient_window_seconds,
                prefix_limit = excluded.prefix_limit,
                prefix_window_seconds = excluded.prefix_window_seconds,
                prefix_digits = excluded.prefix_digits,
                requires_relay_verification = excluded.requires_relay_verification,
                updated_at = now()
              """)
          .bind("t", tenantId)
          .bind("regions", s.allowedRegions() == null ? null
              : String.join(",", new TreeSet<>(s.allowedRegions())))
          .bind("segments", s.maxSegments())
          .bind("rl", s.recipientLimit())
          .bind("rw", seconds(s.recipientWindow()))
          .bind("pl", s.prefixLimit())
          .bind("pw", seconds(s.prefixWindow()))
          .bind("pd", s.prefixDigits())
          .bind("rv", s.requiresRelayVerification())
          .execute();
      SmsSettings saved = settings(h, tenantId);
      audit(h, tenantId, actor, "sms-settings", "changed", describe(saved));
      return saved;
    });
  }

  public Optional<SmsPause> pause(String tenantId) {
    return jdbi.withHandle(h -> pause(h, tenantId));
  }

  /**
   * Lifts the tenant's pause, audited with who and why.
   *
   * @return the pause lifted, or empty when there was none (nothing is audited then)
   */
  public Optional<SmsPause> lift(String tenantId, String actor, String reason) {
    return jdbi.inTransaction(h -> {
      Optional<SmsPause> current = pause(h, tenantId);
      if (current.isEmpty()) {
        return current;
      }
      h.createUpdate("""
              update sms_settings set paused_at = null, paused_prefix = null, paused_reason = null,
                updated_at = now() where tenant_id = :t
              """)
          .bind("t", tenantId).execute();
      // The burst the admin accepted no longer counts: otherwise the next send to that prefix
      // would pause the tenant again at once. Per-number counts stay.
      h.createUpdate("update sms_sends set prefix_counted = false where tenant_id = :t "
              + "and prefix_counted")
          .bind("t", tenantId).execute();
      audit(h, tenantId, actor, "sms-pause", "lifted", "SMS paused since "
          + current.get().pausedAt() + " (prefix " + current.get().prefix() + ") resumed: "
          + reason);
      return current;
    });
  }

  /**
   * Admits one SMS (counts it under its send key) or says why not. Idempotent per send key: a key
   * already counted is admitted again without counting twice. A send that crosses the prefix
   * threshold pauses the tenant's SMS in the same transaction, audited (actor {@code relay}).
   *
   * @param number the E.164 number; only a hash of it is stored
   */
  public SmsAdmission admit(String tenantId, String sendKey, String number, String prefix,
      SmsPolicy policy) {
    return jdbi.inTransaction(h -> {
      h.createQuery("select 1 from (select pg_advisory_xact_lock(hashtext(:k))) lock")
          .bind("k", "relay:sms-guard:" + tenantId).mapTo(Integer.class).one();
      boolean known = h.createQuery("select count(*) from sms_sends where send_key = :k")
          .bind("k", sendKey).mapTo(Integer.class).one() > 0;
      if (known) {
        return new SmsAdmission(SmsAdmission.Verdict.ADMITTED, "already counted", null);
      }
      Optional<SmsPause> paused = pause(h, tenantId);
      if (paused.isPresent()) {
        return new SmsAdmission(SmsAdmission.Verdict.PAUSED, "the tenant's SMS is paused since "
            + paused.get().pausedAt() + " (" + paused.get().reason() + ")", paused.get());
      }
      String hash = numberHash(tenantId, number);
      if (policy.recipientLimit() > 0) {
        int sent = count(h, "number_hash", tenantId, hash, policy.recipientWindow());
        if (sent >= policy.recipientLimit()) {
          return new SmsAdmission(SmsAdmission.Verdict.RECIPIENT_LIMIT, "the number already had "
              + sent + " SMS within " + policy.recipientWindow() + " (limit "
              + policy.recipientLimit() + ")", null);
        }
      }
      if (policy.prefixLimit() > 0) {
        int sent = count(h, "prefix_counted and prefix", tenantId, prefix,
            policy.prefixWindow());
        if (sent >= policy.prefixLimit()) {
          String reason = "burst: " + sent + " SMS to prefix " + prefix + " within "
              + policy.prefixWindow() + " reached the limit of " + policy.prefixLimit();
          h.createUpdate("""
                  insert into sms_settings (tenant_id, paused_at, paused_prefix, paused_reason)
                  values (:t, now(), :p, :r)
                  on conflict (tenant_id) do update set paused_at = now(),
                    paused_prefix = excluded.paused_prefix, paused_reason = excluded.paused_reason,
                    updated_at = now()
                  """)
              .bind("t", tenantId).bind("p", prefix).bind("r", reason).execute();
          audit(h, tenantId, "relay", "sms-pause", "paused", "SMS paused: " + reason);
          return new SmsAdmission(SmsAdmission.Verdict.BURST, reason, pause(h, tenantId).orElseThrow());
        }
      }
      h.createUpdate("""
              insert into sms_sends (send_key, tenant_id, number_hash, prefix)
              values (:k, :t, :h, :p)
              """)
          .bind("k", sendKey).bind("t", tenantId).bind("h", hash).bind("p", prefix).execute();
      return new SmsAdmission(SmsAdmission.Verdict.ADMITTED, "counted", null);
    });
  }

  /** Drops counted sends older than {@code keep} (housekeeping; the windows are far shorter). */
  public int forgetOlderThan(Duration keep) {
    return jdbi.withHandle(h -> h.createUpdate(
            "delete from sms_sends where admitted_at < now() - make_interval(secs => :s)")
        .bind("s", keep.toSeconds()).execute());
  }

  private static int count(Handle h, String column, String tenantId, String value,
      Duration window) {
    return h.createQuery("select count(*) from sms_sends where tenant_id = :t and " + column
            + " = :v and admitted_at > now() - make_interval(secs => :s)")
        .bind("t", tenantId).bind("v", value).bind("s", window.toSeconds())
        .mapTo(Integer.class).one();
  }

  static String numberHash(String tenantId, String number) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(
          sha.digest((tenantId + "\n" + number).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SmsSettings settings(Handle h, String tenantId) {
    return h.createQuery("select * from sms_settings where tenant_id = :t")
        .bind("t", tenantId)
        .map((rs, ctx) -> map(rs))
        .findOne()
        .orElse(SmsSettings.NONE);
  }

  private static Optional<SmsPause> pause(Handle h, String tenantId) {
    return h.createQuery("""
            select paused_at, paused_prefix, paused_reason from sms_settings
            where tenant_id = :t and paused_at is not null
            """)
        .bind("t", tenantId)
        .map((rs, ctx) -> new SmsPause(tenantId, rs.getTimestamp("paused_at").toInstant(),
            rs.getString("paused_prefix"), rs.getString("paused_reason")))
        .findOne();
  }

  private static SmsSettings map(ResultSet rs) throws SQLException {
    String regions = rs.getString("allowed_regions");
    Set<String> allowed = regions == null ? null : regions.isEmpty() ? Set.of()
        : Arrays.stream(regions.split(",")).collect(Collectors.toCollection(TreeSet::new));
    return new SmsSettings(allowed, integer(rs, "max_segments"), integer(rs, "recipient_limit"),
        duration(rs, "recipient_window_seconds"), integer(rs, "prefix_limit"),
        duration(rs, "prefix_window_seconds"), integer(rs, "prefix_digits"),
        (Boolean) rs.getObject("requires_relay_verification"));
  }

  private static Integer integer(ResultSet rs, String column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  private static Duration duration(ResultSet rs, String column) throws SQLException {
    Integer s = integer(rs, column);
    return s == null ? null : Duration.ofSeconds(s);
  }

  private static Integer seconds(Duration d) {
    return d == null ? null : Math.toIntExact(d.toSeconds());
  }

  private static String describe(SmsSettings s) {
    return "allowedRegions=" + s.allowedRegions() + ", maxSegments=" + s.maxSegments()
        + ", recipientLimit=" + s.recipientLimit() + "/" + s.recipientWindow()
        + ", prefixLimit=" + s.prefixLimit() + "/" + s.prefixWindow()
        + ", prefixDigits=" + s.prefixDigits()
        + ", requiresRelayVerification=" + s.requiresRelayVerification()
        + " (null: the configured default)";
  }

  private static void audit(Handle h, String tenantId, String actor, String step, String outcome,
      String detail) {
    AuditRepository.appendAll(h, List.of(new NewAuditEvent(tenantId, null, null, Instant.now(),
        actor, step, outcome, detail, null, null, null, null, null, null)));
  }
}
