package dev.relay.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingSettingsTest {
  private static final ProviderPolicy SLOW = new ProviderPolicy(50f, 80f, Duration.ofSeconds(5),
      Duration.ofSeconds(30), 20, Duration.ofSeconds(15), 3, 5, Duration.ofSeconds(1),
      Duration.ofSeconds(5));

  @Test
  void aProviderWithoutItsOwnPolicyGetsTheDefaults() {
    RoutingSettings settings =
        new RoutingSettings(ProviderPolicy.defaults(), Map.of("smtp-secondary", SLOW));

    assertThat(settings.policyFor("smtp-secondary")).isEqualTo(SLOW);
    assertThat(settings.policyFor("smtp-primary")).isEqualTo(ProviderPolicy.defaults());
  }

  @Test
  void namesMatchAsAnEnvironmentVariableCanSpellThem() {
    RoutingSettings settings =
        new RoutingSettings(ProviderPolicy.defaults(), Map.of("smtpsecondary", SLOW));

    assertThat(settings.policyFor("smtp-secondary")).isEqualTo(SLOW);
  }

  @Test
  void theOldThreeArgumentSettingsStillMeanOneRelayAndDefaultRouting() {
    ActivitiesSettings settings = new ActivitiesSettings(SmtpSettings.local(25), null, "d");

    assertThat(settings.secondarySmtp()).isNull();
    assertThat(settings.routing()).isEqualTo(RoutingSettings.standard());
  }

  @Test
  void nonsensePoliciesAreRefused() {
    assertThatThrownBy(() -> new ProviderPolicy(0f, 80f, Duration.ofSeconds(5),
        Duration.ofSeconds(30), 20, Duration.ofSeconds(15), 3, 5, Duration.ofSeconds(1),
        Duration.ofSeconds(5))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProviderPolicy(50f, 80f, Duration.ofSeconds(5),
        Duration.ofMillis(500), 20, Duration.ofSeconds(15), 3, 5, Duration.ofSeconds(1),
        Duration.ofSeconds(5))).isInstanceOf(IllegalArgumentException.class);
  }
}
