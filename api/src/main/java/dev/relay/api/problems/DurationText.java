package dev.relay.api.problems;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * ISO 8601 durations as request fields take them: days, hours, minutes and whole seconds
 * ({@code P1D}, {@code PT24H}, {@code P1DT12H}, {@code PT0S}). The same expression is the OpenAPI
 * {@code pattern}, so the document and the check agree (java.time alone would also take lower
 * case, signs and fractions).
 */
public final class DurationText {
  public static final String REGEX =
      "^P(?!$)(?:[0-9]{1,5}D)?(?:T(?=[0-9])(?:[0-9]{1,6}H)?(?:[0-9]{1,8}M)?(?:[0-9]{1,9}S)?)?$";
  private static final Pattern PATTERN = Pattern.compile(REGEX);

  private DurationText() {}

  /** The duration, or null with {@code field} named in {@code checks} (a 400). */
  public static Duration parse(Checks checks, String field, String value) {
    if (value == null) {
      return null;
    }
    if (PATTERN.matcher(value).matches()) {
      try {
        return Duration.parse(value);
      } catch (DateTimeParseException e) {
        // the pattern admits nothing java.time refuses; fall through to the same message
      }
    }
    checks.add(field, "must be an ISO 8601 duration of days, hours, minutes and whole seconds "
        + "such as PT10M, PT24H or P7D");
    return null;
  }
}
