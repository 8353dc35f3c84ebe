package dev.relay.guard.sms;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a tenant may send SMS: its country allowlist, checked with libphonenumber (the number is
 * parsed, must be valid, of an allowed region and able to receive SMS).
 *
 * <p>An empty allowlist allows every region and checks no more than the E.164 form (the API's
 * pattern): local development, the tests and the benchmark use the fictional {@code +1555…}
 * numbers, which libphonenumber does not call valid. Set an allowlist in production
 * ({@code relay.sms-guard.allowed-regions} or {@code PUT /v1/settings/sms}).
 */
public final class SmsDestinations {
  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

  private SmsDestinations() {}

  /**
   * The answer for one number.
   *
   * @param region the ISO 3166 region libphonenumber places it in ("ZZ" when unknown), or null
   *     when no allowlist applied and it was not parsed
   * @param refusal why it may not receive SMS, or null when it may
   */
  public record Verdict(String region, String refusal) {
    public boolean allowed() {
      return refusal == null;
    }
  }

  /** Upper-cased, valid ISO region codes; throws IllegalArgumentException naming a bad one. */
  /** Every region code libphonenumber has numbering data for, sorted (the API's enum). */
  public static java.util.List<String> supportedRegions() {
    return PHONES.getSupportedRegions().stream().sorted().toList();
  }

  public static Set<String> normalizeRegions(Iterable<String> regions) {
    Set<String> out = new TreeSet<>();
    if (regions == null) {
      return out;
    }
    for (String r : regions) {
      String code = r == null ? "" : r.trim().toUpperCase(Locale.ROOT);
      if (!PHONES.getSupportedRegions().contains(code)) {
        throw new IllegalArgumentException("'" + r + "' is not an ISO 3166 region code with "
            + "phone numbers (such as US, GB, DE)");
      }
      out.add(code);
    }
    return out;
  }

  /** Checks an E.164 number against an allowlist (empty: every region). */
  public static Verdict check(String e164, Set<String> allowedRegions) {
    if (allowedRegions == null || allowedRegions.isEmpty()) {
      return new Verdict(null, null);
    }
    PhoneNumber number;
    try {
      number = PHONES.parse(e164, "ZZ");
    } catch (NumberParseException e) {
      return new Verdict("ZZ", "is not a phone number in E.164 form (" + e.getErrorType() + ")");
    }
    String region = PHONES.getRegionCodeForNumber(number);
    if (region == null) {
      region = "ZZ";
    }
    if (!PHONES.isValidNumber(number)) {
      return new Verdict(region, "is not a valid phone number (region " + region + ")");
    }
    if (!allowedRegions.contains(region)) {
      return new Verdict(region, "is in region " + region + ", which is not in the tenant's SMS "
          + "allowlist " + allowedRegions);
    }
    PhoneNumberType type = PHONES.getNumberType(number);
    if (type != PhoneNumberType.MOBILE && type != PhoneNumberType.FIXED_LINE_OR_MOBILE) {
      return new Verdict(region, "is a " + type.name().toLowerCase(Locale.ROOT).replace('_', ' ')
          + " number of region " + region + ", not one that receives SMS");
    }
    return new Verdict(region, null);
  }

  /**
   * The number's prefix for velocity limits: "+" and its first {@code digits} digits (country
   * code and the start of the national number), e.g. {@code +447700} for 6.
   */
  public static String prefix(String e164, int digits) {
    String all = e164.startsWith("+") ? e164.substring(1) : e164;
    return "+" + all.substring(0, Math.min(Math.max(digits, 1), all.length()));
  }
}
