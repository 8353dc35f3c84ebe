package dev.relay.store.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.store.audit.AuditKeys;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Codes are 6 random digits, kept only as a MAC bound to the key and the verification. */
class VerificationCodesTest {
  private static final String K1 = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String K2 = Base64.getEncoder().encodeToString("k".repeat(32).getBytes());

  @Test
  void codesAreSixDigitsAndVary() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String code = VerificationCodes.draw();
      assertThat(code).matches("[0-9]{6}");
      seen.add(code);
    }
    assertThat(seen.size()).isGreaterThan(190);
  }

  @Test
  void onlyTheRightCodeOfThisVerificationMatchesAndTheHashHidesIt() {
    VerificationCodes codes = new VerificationCodes(AuditKeys.of(Map.of("a", K1), "a"));
    VerificationCodes.Hashed h = codes.hash("ver-1", "012345");
    assertThat(h.keyId()).isEqualTo("a");
    assertThat(h.hash()).hasSize(64).doesNotContain("012345");
    assertThat(codes.matches("ver-1", "012345", "a", h.hash())).isTrue();
    assertThat(codes.matches("ver-1", "012346", "a", h.hash())).isFalse();
    assertThat(codes.matches("ver-2", "012345", "a", h.hash())).isFalse();
    assertThat(codes.matches("ver-1", "012345", "gone", h.hash())).isFalse();
    assertThat(codes.matches("ver-1", "012345", "a", "not-hex")).isFalse();
    assertThat(codes.matches("ver-1", null, "a", h.hash())).isFalse();
  }

  @Test
  void aRotatedKeyStillChecksCodesHashedUnderTheOldOne() {
    VerificationCodes before = new VerificationCodes(AuditKeys.of(Map.of("a", K1), "a"));
    VerificationCodes after = new VerificationCodes(AuditKeys.of(Map.of("a", K1, "b", K2), "b"));
    VerificationCodes.Hashed h = before.hash("ver-1", "999999");
    assertThat(after.matches("ver-1", "999999", h.keyId(), h.hash())).isTrue();
    assertThat(after.hash("ver-1", "999999").hash()).isNotEqualTo(h.hash());
  }
}
