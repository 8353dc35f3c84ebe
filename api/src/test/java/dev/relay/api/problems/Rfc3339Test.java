package dev.relay.api.problems;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Every RFC 3339 date-time the OpenAPI document lets a client send is read, and nothing else. */
class Rfc3339Test {

  @Test
  void readsWhatJavaTimeAloneRefuses() {
    Instant utc = Instant.parse("2030-01-01T00:00:00Z");
    assertThat(Rfc3339.parse("2030-01-01t00:00:00z")).isEqualTo(utc);
    assertThat(Rfc3339.parse("2030-01-01T23:59:00+23:59")).isEqualTo(utc);
    assertThat(Rfc3339.parse("2029-12-31T00:01:00-23:59")).isEqualTo(utc);
    assertThat(Rfc3339.parse("2029-12-31T23:59:60Z")).isEqualTo(utc);
    assertThat(Rfc3339.parse("2030-01-01T00:00:00.1234567891234Z"))
        .isEqualTo(utc.plusNanos(123_456_789));
    assertThat(Rfc3339.parse("0415-10-14T09:04:57-18:23")).isNotNull();
  }

  @Test
  void refusesWhatIsNotADateTime() {
    for (String bad : new String[] {"tomorrow", "2030-01-01", "2030-02-30T00:00:00Z",
        "2030-01-01T24:00:00Z", "2030-01-01T00:00:61Z", "2030-01-01T00:00:00+24:00",
        "2030-01-01T00:00:00", "2030-01-01 00:00:00Z"}) {
      assertThat(Rfc3339.parse(bad)).as(bad).isNull();
    }
  }
}
