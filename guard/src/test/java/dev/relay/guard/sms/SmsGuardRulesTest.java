package dev.relay.guard.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmsGuardRulesTest {
  static String example(String region, PhoneNumberType type) {
    PhoneNumberUtil u = PhoneNumberUtil.getInstance();
    return u.format(u.getExampleNumberForType(region, type), PhoneNumberFormat.E164);
  }

  @Test
  void emptyAllowlistAllowsEverythingIncludingDemoNumbers() {
    assertThat(SmsDestinations.check("+15550001111", Set.of()).allowed()).isTrue();
  }

  @Test
  void allowlistChecksRegionValidityAndMobility() {
    Set<String> gb = Set.of("GB");
    assertThat(SmsDestinations.check(example("GB", PhoneNumberType.MOBILE), gb).allowed()).isTrue();
    SmsDestinations.Verdict de = SmsDestinations.check(example("DE", PhoneNumberType.MOBILE), gb);
    assertThat(de.allowed()).isFalse();
    assertThat(de.region()).isEqualTo("DE");
    assertThat(de.refusal()).contains("region DE").contains("allowlist");
    SmsDestinations.Verdict fixed =
        SmsDestinations.check(example("GB", PhoneNumberType.FIXED_LINE), gb);
    assertThat(fixed.refusal()).contains("fixed line");
    assertThat(SmsDestinations.check("+15550001111", Set.of("US")).refusal())
        .contains("not a valid phone number");
  }

  @Test
  void regionCodesAreNormalizedAndChecked() {
    assertThat(SmsDestinations.normalizeRegions(List.of("gb", " US"))).containsExactly("GB", "US");
    assertThatThrownBy(() -> SmsDestinations.normalizeRegions(List.of("XX")))
        .hasMessageContaining("'XX'");
  }

  @Test
  void prefixIsCountryCodeAndFirstDigits() {
    assertThat(SmsDestinations.prefix("+447700900123", 6)).isEqualTo("+447700");
    assertThat(SmsDestinations.prefix("+1234", 6)).isEqualTo("+1234");
  }

  @Test
  void segmentsFollowGsm7AndUcs2() {
    assertThat(SmsSegments.count("a".repeat(160))).isEqualTo(new SmsSegments.Count("GSM-7", 160, 1));
    assertThat(SmsSegments.count("a".repeat(161)).segments()).isEqualTo(2);
    assertThat(SmsSegments.count("€".repeat(80)).segments()).isEqualTo(1); // 160 septets
    assertThat(SmsSegments.count("€".repeat(81)).segments()).isEqualTo(2);
    assertThat(SmsSegments.count("ж".repeat(70))).isEqualTo(new SmsSegments.Count("UCS-2", 70, 1));
    assertThat(SmsSegments.count("ж".repeat(71)).segments()).isEqualTo(2);
    assertThat(SmsSegments.count("😀".repeat(35)).segments()).isEqualTo(1);
    assertThat(SmsSegments.count("a".repeat(153 * 4)).segments()).isEqualTo(4);
    assertThat(SmsSegments.count("a".repeat(153 * 4 + 1)).segments()).isEqualTo(5);
  }
}
