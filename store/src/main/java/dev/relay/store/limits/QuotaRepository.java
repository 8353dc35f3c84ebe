package dev.relay.store.limits;

import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Delivery quotas as exact counters per (tenant, channel, UTC day or month). {@link #charge}
 * runs inside the transaction that inserts the deliveries: ONE statement adds the new deliveries
 * to every counter they touch, each only if it stays within its limit. When one would not, it
 * throws {@link QuotaExceededException} and the caller's transaction rolls back, so a refused
 * request neither counts nor is stored, and an idempotent replay (nothing inserted) counts
 * nothing.
 */
public class QuotaRepository {
  private final Jdbi jdbi;

  public QuotaRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Counts {@code counts} (channel → deliveries) against the tenant's quotas for the periods that
   * contain {@code now}.
   *
   * @param quotas channel → its quotas; a channel without an entry is not limited
   * @throws QuotaExceededException naming the first counter that would go over (nothing counted)
   */
  public static void charge(Handle h, String tenantId, Map<String, Long> counts,
      Map<String, ChannelQuota> quotas, Instant now) {
    LocalDate today = QuotaPeriod.today(now);
    List<Object[]> rows = new ArrayList<>();
    // Sorted: two transactions touch the counters in one order and cannot deadlock.
    for (Map.Entry<String, Long> e : new TreeMap<>(counts).entrySet()) {
      ChannelQuota quota = quotas.get(e.getKey());
      if (quota == null || e.getValue() <= 0) {
        continue;
      }
      for (QuotaPeriod period : QuotaPeriod.values()) {
        long limit = quota.limit(period);
        if (e.getValue() > limit) {
          throw exceeded(h, tenantId, e.getKey(), period, limit, e.getValue(), today);
        }
        rows.add(new Object[] {e.getKey(), period, e.getValue(), limit});
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < rows.size(); i++) {
      values.append(i == 0 ? "" : ", ").append("(:t, :c").append(i).append(", :p").append(i)
          .append(", :s").append(i).append(", :n").append(i).append("::bigint, :l").append(i)
          .append("::bigint)");
    }
    var query = h.createQuery("""
        insert into delivery_quota_usage as u
          (tenant_id, channel, period, period_start, used, quota_limit)
        values\s""" + values + """

        on conflict (tenant_id, channel, period, period_start) do update
          set used = u.used + excluded.used, quota_limit = excluded.quota_limit
          where u.used + excluded.used <= excluded.quota_limit
        returning channel, period
        """);
    query.bind("t", tenantId);
    for (int i = 0; i < rows.size(); i++) {
      QuotaPeriod period = (QuotaPeriod) rows.get(i)[1];
      query.bind("c" + i, (String) rows.get(i)[0])
          .bind("p" + i, period.dbValue())
          .bind("s" + i, Date.valueOf(period.start(today)))
          .bind("n" + i, (long) rows.get(i)[2])
          .bind("l" + i, (long) rows.get(i)[3]);
    }
    List<String> counted = query.map((rs, ctx) -> rs.getString("channel") + "/"
        + rs.getString("period")).list();
    for (Object[] row : rows) {
      QuotaPeriod period = (QuotaPeriod) row[1];
      if (!counted.contains(row[0] + "/" + period.dbValue())) {
        throw exceeded(h, tenantId, (String) row[0], period, (long) row[3], (long) row[2], today);
      }
    }
  }

  private static QuotaExceededException exceeded(Handle h, String tenantId, String channel,
      QuotaPeriod period, long limit, long requested, LocalDate today) {
    long used = h.createQuery("""
            select coalesce(sum(used), 0) from delivery_quota_usage
            where tenant_id = :t and channel = :c and period = :p and period_start = :s
            """)
        .bind("t", tenantId).bind("c", channel).bind("p", period.dbValue())
        .bind("s", Date.valueOf(period.start(today)))
        .mapTo(Long.class).one();
    return new QuotaExceededException(channel, period, limit, used, requested,
        period.next(today).atStartOfDay().toInstant(ZoneOffset.UTC));
  }

  /** What the current day and month have counted: channel → period → deliveries. */
  public Map<String, Map<QuotaPeriod, Long>> usage(String tenantId, Instant now) {
    LocalDate today = QuotaPeriod.today(now);
    Map<String, Map<QuotaPeriod, Long>> out = new LinkedHashMap<>();
    for (String channel : List.of("EMAIL", "SMS")) {
      Map<QuotaPeriod, Long> m = new EnumMap<>(QuotaPeriod.class);
      m.put(QuotaPeriod.DAY, 0L);
      m.put(QuotaPeriod.MONTH, 0L);
      out.put(channel, m);
    }
    jdbi.useHandle(h -> h.createQuery("""
            select channel, period, used from delivery_quota_usage
            where tenant_id = :t and ((period = 'day' and period_start = :d)
                                   or (period = 'month' and period_start = :m))
            """)
        .bind("t", tenantId)
        .bind("d", Date.valueOf(QuotaPeriod.DAY.start(today)))
        .bind("m", Date.valueOf(QuotaPeriod.MONTH.start(today)))
        .map((rs, ctx) -> new Object[] {rs.getString("channel"), rs.getString("period"),
            rs.getLong("used")})
        .forEach(r -> out.computeIfAbsent((String) r[0], c -> new EnumMap<>(QuotaPeriod.class))
            .put(QuotaPeriod.fromDb((String) r[1]), (Long) r[2])));
    return out;
  }
}
