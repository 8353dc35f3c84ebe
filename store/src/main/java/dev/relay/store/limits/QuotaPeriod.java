package dev.relay.store.limits;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/** The windows delivery quotas count over: UTC calendar days and months. */
public enum QuotaPeriod {
  DAY("day", "daily"),
  MONTH("month", "monthly");

  private final String dbValue;
  private final String adjective;

  QuotaPeriod(String dbValue, String adjective) {
    this.dbValue = dbValue;
    this.adjective = adjective;
  }

  public String dbValue() {
    return dbValue;
  }

  /** "daily" or "monthly". */
  public String adjective() {
    return adjective;
  }

  /** The first day of the period that {@code day} lies in. */
  public LocalDate start(LocalDate day) {
    return this == DAY ? day : day.with(TemporalAdjusters.firstDayOfMonth());
  }

  /** The first day of the next period: the quota resets at its UTC midnight. */
  public LocalDate next(LocalDate day) {
    return this == DAY ? day.plusDays(1) : start(day).plusMonths(1);
  }

  /** The nominal length in seconds (a day; a month of 30 days), for the {@code w} parameter. */
  public long nominalSeconds() {
    return this == DAY ? 86_400L : 30L * 86_400L;
  }

  public static LocalDate today(java.time.Instant now) {
    return now.atOffset(ZoneOffset.UTC).toLocalDate();
  }

  public static QuotaPeriod fromDb(String value) {
    return "day".equals(value) ? DAY : MONTH;
  }
}
