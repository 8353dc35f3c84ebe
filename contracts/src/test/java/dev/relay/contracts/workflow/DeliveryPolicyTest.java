package dev.relay.contracts.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.contracts.DeliveryStatus;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The delay notice and the delayed flag, added without breaking what was recorded before them. */
class DeliveryPolicyTest {

  @Test
  void theDelayNoticeDefaultsToTenMinutesWhereverItIsNotGiven() {
    assertThat(DeliveryPolicy.defaults().delayNotice()).isEqualTo(Duration.ofMinutes(10));
    DeliveryPolicy old = new DeliveryPolicy(6, Duration.ofMillis(200), 2.0, Duration.ofSeconds(30),
        Duration.ofSeconds(30), Duration.ofMinutes(15));
    assertThat(old.delayNotice()).isEqualTo(DeliveryPolicy.DEFAULT_DELAY_NOTICE);
    assertThatThrownBy(() -> new DeliveryPolicy(6, Duration.ofMillis(200), 2.0,
        Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(15),
        Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPolicyInTheHistoryOfAnOlderWorkflowReadsWithTheDefaultNotice() {
    // As a workflow input recorded before the delay notice existed carries it.
    String recorded = "{\"maxSendTries\":6,\"initialBackoff\":0.200000000,\"backoffCoefficient\":2.0,"
        + "\"maxBackoff\":30.000000000,\"sendTimeout\":30.000000000,\"receiptTimeout\":900.000000000}";
    Payload payload = Payload.newBuilder()
        .putMetadata("encoding", com.google.protobuf.ByteString.copyFromUtf8("json/plain"))
        .setData(com.google.protobuf.ByteString.copyFrom(recorded, StandardCharsets.UTF_8))
        .build();

    DeliveryPolicy policy = DefaultDataConverter.STANDARD_INSTANCE
        .fromPayload(payload, DeliveryPolicy.class, DeliveryPolicy.class);

    assertThat(policy.receiptTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(policy.delayNotice()).isEqualTo(DeliveryPolicy.DEFAULT_DELAY_NOTICE);
    Optional<Payload> roundTrip = DefaultDataConverter.STANDARD_INSTANCE.toPayload(policy);
    assertThat(DefaultDataConverter.STANDARD_INSTANCE.fromPayload(roundTrip.orElseThrow(),
        DeliveryPolicy.class, DeliveryPolicy.class)).isEqualTo(policy);
  }

  @Test
  void aViewMadeTheOldWayIsNotDelayed() {
    DeliveryView view = new DeliveryView("dlv-1", DeliveryStatus.SENDING, null, 0, null, null,
        List.of());
    assertThat(view.delayed()).isFalse();
  }
}
