package dev.relay.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.contracts.Channel;
import io.temporal.worker.WorkerOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code relay.worker.sends.*} as an operator writes it, and the worker options it becomes. */
class SendQueuePropertiesTest {

  private static SendQueueProperties bind(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties))
        .bindOrCreate("relay.worker.sends", SendQueueProperties.class);
  }

  @Test
  void nothingSetGivesSafeProviderRates() {
    SendQueueProperties sends = bind(Map.of());

    assertThat(sends.forChannel(Channel.EMAIL))
        .isEqualTo(new SendQueueProperties.SendQueue(100.0, 20, 2));
    assertThat(sends.forChannel(Channel.SMS))
        .isEqualTo(new SendQueueProperties.SendQueue(10.0, 10, 2));
  }

  @Test
  void aPartialOverrideKeepsTheChannelsOtherDefaults() {
    SendQueueProperties sends = bind(Map.of(
        "relay.worker.sends.email.pollers", "4",
        "relay.worker.sends.sms.rate-per-second", "2.5"));

    assertThat(sends.email()).isEqualTo(new SendQueueProperties.SendQueue(100.0, 20, 4));
    assertThat(sends.sms()).isEqualTo(new SendQueueProperties.SendQueue(2.5, 10, 2));
  }

  @Test
  void theRateBecomesTheTaskQueueRateTheServerEnforces() {
    WorkerOptions options = TemporalWorkerConfiguration.sendWorkerOptions(
        bind(Map.of("relay.worker.sends.sms.rate-per-second", "0.5")).sms());

    assertThat(options.getMaxTaskQueueActivitiesPerSecond()).isEqualTo(0.5);
    // Not the per-worker limit: that one would multiply with the number of workers.
    assertThat(options.getMaxWorkerActivitiesPerSecond()).isZero();
    assertThat(options.getMaxConcurrentActivityExecutionSize()).isEqualTo(10);
    assertThat(options.getMaxConcurrentActivityTaskPollers()).isEqualTo(2);
  }

  @Test
  void zeroMeansNoServerSideLimit() {
    SendQueueProperties.SendQueue email =
        bind(Map.of("relay.worker.sends.email.rate-per-second", "0")).email();

    assertThat(email.rateLimited()).isFalse();
    assertThat(TemporalWorkerConfiguration.sendWorkerOptions(email)
        .getMaxTaskQueueActivitiesPerSecond()).isZero();
  }

  @Test
  void aNegativeRateIsRefusedAtStartup() {
    assertThatThrownBy(() -> bind(Map.of("relay.worker.sends.sms.rate-per-second", "-1")))
        .isInstanceOf(BindException.class)
        .hasStackTraceContaining("rate-per-second must be >= 0");
  }
}
