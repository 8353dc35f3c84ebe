package dev.relay.store.limits;

import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.NewAuditEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;

/**
 * The limits an admin set per tenant. A change is written with its audit event (step
 * {@code limits}, the old and new values in the detail) in one transaction.
 */
public class TenantLimitsRepository {
  private final Jdbi jdbi;

  public TenantLimitsRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** What the tenant set; {@link TenantLimits#NONE} when it set nothing. */
  public TenantLimits find(String tenantId) {
    return jdbi.withHandle(h -> find(h, tenantId, false)).orElse(TenantLimits.NONE);
  }

  /** Replaces the tenant's settings (null fields: back to the default) and audits the change. */
  public TenantLimits save(String tenantId, TenantLimits limits, String actor) {
    return jdbi.inTransaction(h -> {
      TenantLimits before = find(h, tenantId, true).orElse(TenantLimits.NONE);
      Update update = h.createUpdate("""
          insert into tenant_limits (tenant_id, requests_per_key, requests_per_tenant,
            window_seconds, email_daily, email_monthly, sms_daily, sms_monthly, updated_at,
            updated_by)
          values (:t, :rk, :rt, :w, :ed, :em, :sd, :sm, now(), :by)
          on conflict (tenant_id) do update set requests_per_key = excluded.requests_per_key,
            requests_per_tenant = excluded.requests_per_tenant,
            window_seconds = excluded.window_seconds, email_daily = excluded.email_daily,
            email_monthly = excluded.email_monthly, sms_daily = excluded.sms_daily,
            sms_monthly = excluded.sms_monthly, updated_at = now(), updated_by = excluded.updated_by
          """)
          .bind("t", tenantId).bind("by", actor);
      update.bindByType("rk", limits.requestsPerKey(), Integer.class);
      update.bindByType("rt", limits.requestsPerTenant(), Integer.class);
      update.bindByType("w", limits.windowSeconds(), Integer.class);
      update.bindByType("ed", limits.emailDaily(), Long.class);
      update.bindByType("em", limits.emailMonthly(), Long.class);
      update.bindByType("sd", limits.smsDaily(), Long.class);
      update.bindByType("sm", limits.smsMonthly(), Long.class);
      update.execute();
      TenantLimits after = find(h, tenantId, false).orElseThrow();
      AuditRepository.appendAll(h, List.of(new NewAuditEvent(tenantId, null, null, Instant.now(),
          actor, "limits", "changed", "limits " + describe(before) + " → " + describe(after),
          null, null, null, null, null, null)));
      return after;
    });
  }

  /** The settings as the audit shows them ("default" for a field not set). */
  static String describe(TenantLimits l) {
    return "requestsPerKey=" + or(l.requestsPerKey()) + ", requestsPerTenant="
        + or(l.requestsPerTenant()) + ", windowSeconds=" + or(l.windowSeconds())
        + ", emailDaily=" + or(l.emailDaily()) + ", emailMonthly=" + or(l.emailMonthly())
        + ", smsDaily=" + or(l.smsDaily()) + ", smsMonthly=" + or(l.smsMonthly());
  }

  private static String or(Object v) {
    return v == null ? "default" : v.toString();
  }

  private static Optional<TenantLimits> find(Handle h, String tenantId, boolean lock) {
    return h.createQuery("select * from tenant_limits where tenant_id = :t"
            + (lock ? " for update" : ""))
        .bind("t", tenantId)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  private static TenantLimits map(ResultSet rs) throws SQLException {
    return new TenantLimits(integer(rs, "requests_per_key"), integer(rs, "requests_per_tenant"),
        integer(rs, "window_seconds"), bigint(rs, "email_daily"), bigint(rs, "email_monthly"),
        bigint(rs, "sms_daily"), bigint(rs, "sms_monthly"),
        rs.getTimestamp("updated_at").toInstant(), rs.getString("updated_by"));
  }

  private static Integer integer(ResultSet rs, String c) throws SQLException {
    int v = rs.getInt(c);
    return rs.wasNull() ? null : v;
  }

  private static Long bigint(ResultSet rs, String c) throws SQLException {
    long v = rs.getLong(c);
    return rs.wasNull() ? null : v;
  }
}
