package dev.relay.contracts.activities;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.DeliveryStatus;
import io.temporal.common.converter.DefaultDataConverter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lean path's records through the data converter workers and clients use: what the workflow
 * writes into history must read back as the same value (derived flags such as
 * {@code isEmpty()} must not become JSON properties).
 */
class LeanContractsOnTheWireTest {

  private static <T> T roundTrip(T value, Class<T> type) {
    var converter = DefaultDataConverter.STANDARD_INSTANCE;
    return converter.fromPayload(converter.toPayload(value).orElseThrow(), type, type);
  }

  @Test
  void sendRequest() {
    SendRequest r = new SendRequest("t", "d", Channel.EMAIL, "k", 1, 1, "a",
        new PreparedPayload("d:EMAIL", Channel.EMAIL, "x", List.of()),
        new AuditBatch(List.of(new AuditEvent("t", "d", 1, Instant.EPOCH, "relay", "verify",
            "ok", null, DeliveryStatus.VERIFYING, Channel.EMAIL, 0, null, null, null)), List.of()),
        new AcceptRecord(2, DeliveryStatus.DELIVERED, StatusEventType.DELIVERED), "bob", "news");
    assertThat(roundTrip(r, SendRequest.class)).isEqualTo(r);
  }

  @Test
  void sendOutcome() {
    SendOutcome ok = SendOutcome.accepted(new SendResult("p", "m", false), null);
    SendOutcome failed = SendOutcome.failed(DeliveryErrorType.PROVIDER_UNAVAILABLE, "x",
        Duration.ofSeconds(3));
    assertThat(roundTrip(ok, SendOutcome.class)).isEqualTo(ok);
    assertThat(roundTrip(failed, SendOutcome.class)).isEqualTo(failed);
  }

  @Test
  void prepareRequestAndPreparation() {
    PrepareRequest r = new PrepareRequest("t", "d", "r", "invoices", Channel.SMS, Instant.EPOCH,
        "tpl", java.util.Map.of("name", "Ann"), List.of("doc"), null);
    assertThat(roundTrip(r, PrepareRequest.class)).isEqualTo(r);
    Preparation p = Preparation.unrenderable(IdentityCheck.ok("a"), ConsentDecision.granted(2),
        DeliveryErrorType.TEMPLATE_VARIABLE_MISSING, "no name");
    assertThat(roundTrip(p, Preparation.class)).isEqualTo(p);
  }

  @Test
  void aSendRequestRecordedBeforeTheLeanPathReadsWithAnEmptyBatch() {
    String recorded = "{\"tenantId\":\"t\",\"deliveryId\":\"d\",\"channel\":\"EMAIL\","
        + "\"sendKey\":\"k\",\"round\":1,\"tryNumber\":1,\"address\":\"a\",\"payload\":null}";
    var payload = io.temporal.api.common.v1.Payload.newBuilder()
        .putMetadata("encoding", com.google.protobuf.ByteString.copyFromUtf8("json/plain"))
        .setData(com.google.protobuf.ByteString.copyFromUtf8(recorded))
        .build();
    SendRequest read = DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload,
        SendRequest.class, SendRequest.class);
    assertThat(read.pending()).isEqualTo(AuditBatch.EMPTY);
    assertThat(read.onAccept()).isNull();
    assertThat(read.recipientId()).as("older tries: the send reads it").isNull();
  }
}
