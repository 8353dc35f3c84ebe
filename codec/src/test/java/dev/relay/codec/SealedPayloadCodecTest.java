package dev.relay.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.failure.v1.Failure;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.payload.codec.PayloadCodecException;
import io.temporal.payload.context.WorkflowSerializationContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealedPayloadCodecTest {
  static final Map<String, Object> INPUT = Map.of("recipient", "ada@example.test",
      "variables", Map.of("amount", "EUR 1,234.56"));

  final PayloadKey k1 = TestKeys.key("k1");
  final PayloadKey k2 = TestKeys.key("k2");

  @Test
  void sealedPayloadsHoldNoPlaintextAndRoundTrip() {
    DataConverter sealed = SealedDataConverter.create(new Keyring(List.of(k1)));
    Payload payload = sealed.toPayload(INPUT).orElseThrow();

    assertThat(payload.getMetadataMap().get("encoding").toStringUtf8()).isEqualTo("binary/encrypted");
    assertThat(payload.getMetadataMap().get("encryption-key-id").toStringUtf8()).isEqualTo("k1");
    assertThat(payload.getMetadataMap()).doesNotContainKey("messageType");
    String stored = payload.toByteString().toString(StandardCharsets.ISO_8859_1);
    assertThat(stored).doesNotContain("ada@example.test").doesNotContain("1,234.56")
        .doesNotContain("json/plain");

    assertThat(sealed.fromPayload(payload, Map.class, Map.class)).isEqualTo(INPUT);
  }

  @Test
  void twoSealsOfTheSameValueDiffer() {
    DataConverter sealed = SealedDataConverter.create(new Keyring(List.of(k1)));
    assertThat(sealed.toPayload("same").orElseThrow().getData())
        .isNotEqualTo(sealed.toPayload("same").orElseThrow().getData());
  }

  @Test
  void afterRotationNewPayloadsUseTheNewKeyAndOldOnesStillOpen() {
    DataConverter before = SealedDataConverter.create(new Keyring(List.of(k1)));
    Payload old = before.toPayload(INPUT).orElseThrow();

    // k2 appended: it becomes the primary, k1 still opens what it sealed.
    DataConverter after = SealedDataConverter.create(new Keyring(List.of(k1, k2)));
    Payload fresh = after.toPayload(INPUT).orElseThrow();
    assertThat(SealedPayloadCodec.keyId(fresh)).isEqualTo("k2");
    assertThat(after.fromPayload(old, Map.class, Map.class)).isEqualTo(INPUT);
    assertThat(after.fromPayload(fresh, Map.class, Map.class)).isEqualTo(INPUT);

    // Staged rotation: k2 known everywhere first, k1 still the primary.
    DataConverter staged = SealedDataConverter.create(new Keyring(List.of(k1, k2), "k1"));
    assertThat(SealedPayloadCodec.keyId(staged.toPayload(INPUT).orElseThrow())).isEqualTo("k1");
    assertThat(staged.fromPayload(fresh, Map.class, Map.class)).isEqualTo(INPUT);
  }

  @Test
  void aPayloadUnderAnUnknownKeyFailsNamingTheKey() {
    Payload old = new SealedPayloadCodec(new Keyring(List.of(k1))).encode(List.of(plain("x"))).get(0);
    SealedPayloadCodec withoutK1 = new SealedPayloadCodec(new Keyring(List.of(k2)));

    assertThatThrownBy(() -> withoutK1.decode(List.of(old)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("sealed with key 'k1'")
        .hasMessageContaining("known: k2")
        .hasMessageContaining("relay.codec.keys");
  }

  @Test
  void plainPayloadsPassThroughDecodeUnchanged() {
    Payload plain = DefaultDataConverter.STANDARD_INSTANCE.toPayload(INPUT).orElseThrow();
    SealedPayloadCodec codec = new SealedPayloadCodec(new Keyring(List.of(k1)));

    assertThat(codec.decode(List.of(plain))).containsExactly(plain);
    assertThat(SealedDataConverter.create(new Keyring(List.of(k1))).fromPayload(plain, Map.class,
        Map.class)).isEqualTo(INPUT);
  }

  @Test
  void aSealedPayloadIsNotSealedTwice() {
    SealedPayloadCodec codec = new SealedPayloadCodec(new Keyring(List.of(k1)));
    Payload once = codec.encode(List.of(plain("x"))).get(0);
    assertThat(codec.encode(List.of(once))).containsExactly(once);
  }

  @Test
  void tamperedCiphertextOrMetadataFails() {
    SealedPayloadCodec codec = new SealedPayloadCodec(new Keyring(List.of(k1, k2)));
    Payload sealed = codec.encode(List.of(plain("secret"))).get(0);

    byte[] data = sealed.getData().toByteArray();
    data[data.length / 2] ^= 0x01;
    Payload flipped = sealed.toBuilder().setData(ByteString.copyFrom(data)).build();
    assertThatThrownBy(() -> codec.decode(List.of(flipped)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("does not authenticate");

    // The key ID is bound too: relabelling a payload with another known key does not open it.
    Payload relabelled = sealed.toBuilder()
        .putMetadata("encryption-key-id", ByteString.copyFromUtf8("k1")).build();
    assertThatThrownBy(() -> codec.decode(List.of(relabelled)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("does not authenticate");

    Payload truncated = sealed.toBuilder().setData(sealed.getData().substring(0, 10)).build();
    assertThatThrownBy(() -> codec.decode(List.of(truncated)))
        .isInstanceOf(PayloadCodecException.class);
  }

  @Test
  void payloadsAreLabelledWithTheirWorkflowAndTheLabelIsBound() {
    SealedPayloadCodec codec = new SealedPayloadCodec(new Keyring(List.of(k1)));
    Payload sealed = codec.withContext(new WorkflowSerializationContext("default", "dlv-1"))
        .encode(List.of(plain("secret"))).get(0);
    assertThat(SealedPayloadCodec.workflowId(sealed)).isEqualTo("dlv-1");
    assertThat(codec.decode(List.of(sealed))).containsExactly(plain("secret"));

    Payload moved = sealed.toBuilder()
        .putMetadata("encryption-workflow-id", ByteString.copyFromUtf8("dlv-2")).build();
    assertThatThrownBy(() -> codec.decode(List.of(moved)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("does not authenticate");
  }

  @Test
  void failureMessagesAreSealedAndComeBack() {
    DataConverter sealed = SealedDataConverter.create(new Keyring(List.of(k1)));
    Failure failure = sealed.exceptionToFailure(
        ApplicationFailure.newNonRetryableFailure("550 5.1.1 <ada@example.test> unknown", "BOUNCE"));

    assertThat(failure.toByteString().toString(StandardCharsets.ISO_8859_1))
        .doesNotContain("ada@example.test");
    assertThat(sealed.failureToException(failure)).hasMessageContaining("<ada@example.test>");
  }

  @Test
  void keyringsAreReadFromTextAndFilesWithClearErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("payload-keys");
    Files.writeString(file, "# local dev keys\n" + TestKeys.line(k1) + "\n\n" + TestKeys.line(k2) + "\n");
    Keyring ring = KeyProvider.file(file, null).keyring();
    assertThat(ring.ids()).containsExactly("k1", "k2");
    assertThat(ring.primaryId()).isEqualTo("k2");
    assertThat(ring.primary()).isEqualTo(k2);
    assertThat(ring.toString()).doesNotContain(TestKeys.line(k1).substring(3));

    assertThat(Keyring.parse(TestKeys.line(k1) + "," + TestKeys.line(k2), "k1", "test").primaryId())
        .isEqualTo("k1");
    assertThatThrownBy(() -> Keyring.parse("k1:c2hvcnQ=", null, "test"))
        .hasMessageContaining("must be 32 bytes").hasMessageContaining("test");
    assertThatThrownBy(() -> Keyring.parse(TestKeys.line(k1) + "," + TestKeys.line(k1), null, "t"))
        .hasMessageContaining("appears twice");
    assertThatThrownBy(() -> Keyring.parse(TestKeys.line(k1), "k9", "t"))
        .hasMessageContaining("'k9' is not in the keyring");
    assertThatThrownBy(() -> Keyring.parse("not-a-key", null, "t"))
        .hasMessageContaining("<key-id>:<base64 key>");
    assertThatThrownBy(() -> KeyProvider.file(dir.resolve("missing"), null).keyring())
        .hasMessageContaining("relay.codec.key-file");
  }

  @Test
  void settingsRefuseToRunWithoutAKeyOnlyWhenRequired() {
    assertThat(CodecSettings.NONE.keyProvider()).isEmpty();
    assertThat(SealedDataConverter.create(CodecSettings.NONE))
        .isSameAs(DefaultDataConverter.STANDARD_INSTANCE);
    assertThatThrownBy(() -> new CodecSettings(null, " ", null, true).keyProvider())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("RELAY_CODEC_KEY_FILE");
    assertThatThrownBy(() -> new CodecSettings(TestKeys.line(k1), "/x", null, false).keyProvider())
        .hasMessageContaining("both");
    assertThat(new CodecSettings(TestKeys.line(k1), null, null, true).describe())
        .contains("ON").contains("'k1'").doesNotContain(TestKeys.line(k1).substring(3));
  }

  private static Payload plain(String value) {
    return DefaultDataConverter.STANDARD_INSTANCE.toPayload(value).orElseThrow();
  }
}
