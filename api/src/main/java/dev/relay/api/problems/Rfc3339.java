package dev.relay.api.problems;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RFC 3339 date-times as the OpenAPI {@code format: date-time} allows them, which java.time alone
 * does not: offsets up to ±23:59 (java.time stops at ±18:00), a leap second {@code :60}, lower
 * case {@code t} and {@code z}, and fractions of any length.
 */
public final class Rfc3339 {
  private static final Pattern DATE_TIME = Pattern.compile(
      "(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?"
          + "(?:([Zz])|([+-])(\\d{2}):(\\d{2}))");

  private Rfc3339() {}

  /** The instant, or null when {@code value} is not an RFC 3339 date-time. */
  public static Instant parse(String value) {
    if (value == null) {
      return null;
    }
    Matcher m = DATE_TIME.matcher(value);
    if (!m.matches()) {
      return null;
    }
    try {
      int second = Integer.parseInt(m.group(6));
      if (second > 60) {
        return null;
      }
      String fraction = m.group(7) == null ? "" : m.group(7);
      int nanos = fraction.isEmpty() ? 0
          : Integer.parseInt((fraction + "000000000").substring(0, 9));
      LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)),
          Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)),
          Integer.parseInt(m.group(5)), Math.min(second, 59), nanos);
      // A leap second is the instant after :59 (java.time has no :60).
      Instant utc = local.toInstant(ZoneOffset.UTC).plusSeconds(second == 60 ? 1 : 0);
      if (m.group(8) != null) {
        return utc;
      }
      int hours = Integer.parseInt(m.group(10));
      int minutes = Integer.parseInt(m.group(11));
      if (hours > 23 || minutes > 59) {
        return null;
      }
      long offsetSeconds = (hours * 60L + minutes) * 60L * (m.group(9).equals("-") ? -1 : 1);
      return utc.minusSeconds(offsetSeconds);
    } catch (DateTimeException | NumberFormatException e) {
      return null;
    }
  }
}
