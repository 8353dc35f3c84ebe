package dev.relay.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.codec.SealedPayloadCodec;
import dev.relay.contracts.DeliveryIds;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The codec server as the Web UI and the CLI use it: operators (support, admin) read a real
 * delivery's sealed workflow input; clients, strangers and other tenants' operators are refused
 * with problems; the browser's CORS preflight passes for the UI's origin only; bad input is a 400.
 */
@ExtendWith(OutputCaptureExtension.class)
class CodecServerTest extends ApiTest {
  @Autowired
  WorkflowClient client;
  @Autowired
  MeterRegistry registry;

  String deliveryId;
  String email;
  Payload sealedInput;

  @BeforeEach
  void aDelivery() throws Exception {
    email = unique("grace") + "@example.org";
    String recipient = recipient(ACME_CLIENT, email, null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    Http.Reply accepted = postDelivery(ACME_CLIENT, unique("key"), "{\"recipientId\":\"" + recipient
        + "\",\"purpose\":\"billing\",\"templateId\":\"" + template
        + "\",\"variables\":{\"name\":\"Grace Hopper-Secret\"},\"channels\":[\"EMAIL\"]}");
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    deliveryId = accepted.json().path("deliveryId").asString();
    awaitStatus(ACME_CLIENT, deliveryId, "DELIVERED");
    sealedInput = client.fetchHistory(DeliveryIds.workflowId(deliveryId)).getEvents().get(0)
        .getWorkflowExecutionStartedEventAttributes().getInput().getPayloads(0);
  }

  @Test
  void theWorkflowInputInTemporalIsSealedAndLabelled() {
    assertThat(SealedPayloadCodec.isSealed(sealedInput)).isTrue();
    assertThat(SealedPayloadCodec.keyId(sealedInput)).isEqualTo("api-test-2");
    assertThat(SealedPayloadCodec.workflowId(sealedInput)).isEqualTo(deliveryId);
    assertThat(sealedInput.toByteString().toString(StandardCharsets.ISO_8859_1))
        .doesNotContain("Grace Hopper-Secret");
  }

  @Test
  void supportAndAdminReadTheInputAndEachDecodeIsLoggedAndCounted(CapturedOutput output)
      throws Exception {
    double before = decodes("ok", "support");
    Http.Reply support = decode(ACME_SUPPORT, body(sealedInput), "default");

    assertThat(support.status()).as(support.body()).isEqualTo(200);
    assertThat(support.contentType()).startsWith("application/json");
    Payload opened = parse(support.body()).getPayloads(0);
    assertThat(opened.getMetadataMap().get("encoding").toStringUtf8()).isEqualTo("json/plain");
    assertThat(opened.getData().toStringUtf8()).contains("Grace Hopper-Secret");
    assertThat(output.getOut()).contains("codec decode by alice.support (tenant acme, support, "
        + "bearer) namespace default: 1 payloads (1 sealed), workflows [" + deliveryId + "]");
    assertThat(decodes("ok", "support")).isEqualTo(before + 1);

    Http.Reply admin = decode(ACME_ADMIN, body(sealedInput), null);
    assertThat(admin.status()).as(admin.body()).isEqualTo(200);
    assertThat(parse(admin.body()).getPayloads(0)).isEqualTo(opened);
  }

  @Test
  void clientsStrangersAndOtherTenantsAreRefusedWithProblems(CapturedOutput output)
      throws Exception {
    Http.Reply client = decode(ACME_CLIENT, body(sealedInput), "default");
    assertThat(client.status()).isEqualTo(403);
    assertThat(client.contentType()).startsWith("application/problem+json");
    assertThat(client.json().path("type").asString()).endsWith("/forbidden");
    assertThat(client.body()).doesNotContain("Grace");

    Http.Reply anonymous = decode(null, body(sealedInput), "default");
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.json().path("type").asString()).endsWith("/unauthenticated");
    assertThat(anonymous.json().path("detail").asString()).contains("/codec/login");

    Http.Reply unknown = decode("no-such-key-0000000000000", body(sealedInput), "default");
    assertThat(unknown.status()).isEqualTo(401);

    Http.Reply otherTenant = decode(GLOBEX_SUPPORT, body(sealedInput), "default");
    assertThat(otherTenant.status()).as(otherTenant.body()).isEqualTo(403);
    assertThat(otherTenant.body()).doesNotContain("Grace");
    assertThat(output.getOut()).contains("codec decode refused for globex.support");
  }

  @Test
  void theWebUisPreflightPassesForItsOriginOnly() throws Exception {
    Http.Reply preflight = http().send("OPTIONS", "/codec/decode", null, null, (String) null,
        "Origin", UI_ORIGIN, "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "authorization,x-namespace,content-type");
    assertThat(preflight.status()).isEqualTo(200);
    assertThat(preflight.header("Access-Control-Allow-Origin")).hasValue(UI_ORIGIN);
    assertThat(preflight.header("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(preflight.header("Access-Control-Allow-Headers").orElse("").toLowerCase())
        .contains("authorization").contains("x-namespace").contains("content-type");
    assertThat(preflight.header("Access-Control-Allow-Methods").orElse("")).contains("POST");

    Http.Reply foreign = http().send("OPTIONS", "/codec/decode", null, null, (String) null,
        "Origin", "http://evil.example", "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "content-type");
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.header("Access-Control-Allow-Origin")).isEmpty();

    Http.Reply actual = http().send("POST", "/codec/decode", ACME_SUPPORT, "application/json",
        body(sealedInput), "Origin", UI_ORIGIN, "X-Namespace", "default");
    assertThat(actual.status()).isEqualTo(200);
    assertThat(actual.header("Access-Control-Allow-Origin")).hasValue(UI_ORIGIN);
  }

  @Test
  void badInputIsA400ProblemNeverA500() throws Exception {
    // Protobuf JSON alone would read a number as base64 digits; the document says base64 text.
    for (String bad : new String[] {"{not json", "{\"payloads\":\"x\"}", "[1,2]", "",
        "{\"payloads\":[{\"data\":2745}]}", "{\"payloads\":[{\"metadata\":{\"encoding\":\"no!\"}}]}"}) {
      Http.Reply reply = decode(ACME_SUPPORT, bad, "default");
      assertThat(reply.status()).as("body %s: %s", bad, reply.body()).isEqualTo(400);
      assertThat(reply.contentType()).startsWith("application/problem+json");
    }
    byte[] data = sealedInput.getData().toByteArray();
    data[5] ^= 0x10;
    Payload tampered = sealedInput.toBuilder().setData(ByteString.copyFrom(data)).build();
    Http.Reply reply = decode(ACME_SUPPORT, body(tampered), "default");
    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(reply.json().path("detail").asString()).contains("does not authenticate");

    Http.Reply otherNamespace = decode(ACME_SUPPORT, body(sealedInput), "payments");
    assertThat(otherNamespace.status()).isEqualTo(400);
    assertThat(otherNamespace.errorFields()).containsExactly("X-Namespace");

    Http.Reply wrongType = http().send("POST", "/codec/decode", ACME_SUPPORT, "text/plain",
        body(sealedInput));
    assertThat(wrongType.status()).isEqualTo(415);
  }

  @Test
  void theCliCanSealWhatItSendsAndPlainPayloadsComeBackAsTheyAre() throws Exception {
    Payload plain = DefaultDataConverter.STANDARD_INSTANCE.toPayload("reason: customer called")
        .orElseThrow();
    Http.Reply encoded = http().post("/codec/encode", ACME_SUPPORT, body(plain), "X-Namespace", "default");
    assertThat(encoded.status()).as(encoded.body()).isEqualTo(200);
    Payload sealed = parse(encoded.body()).getPayloads(0);
    assertThat(SealedPayloadCodec.isSealed(sealed)).isTrue();

    Http.Reply decoded = decode(ACME_SUPPORT, body(sealed), "default");
    assertThat(parse(decoded.body()).getPayloads(0)).isEqualTo(plain);
    Http.Reply passthrough = decode(ACME_SUPPORT, body(plain), "default");
    assertThat(parse(passthrough.body()).getPayloads(0)).isEqualTo(plain);
  }

  @Test
  void aWebUiSignInSetsACookieThatDecodes() throws Exception {
    Http.Reply page = http().get("/codec/login", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("name=apiKey");

    Http.Reply refused = http().send("POST", "/codec/login", null,
        "application/x-www-form-urlencoded", "apiKey=" + ACME_CLIENT);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.header("Set-Cookie")).isEmpty();

    Http.Reply signedIn = http().send("POST", "/codec/login", null,
        "application/x-www-form-urlencoded", "apiKey=" + ACME_SUPPORT);
    assertThat(signedIn.status()).as(signedIn.body()).isEqualTo(200);
    String setCookie = signedIn.header("Set-Cookie").orElseThrow();
    assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/codec");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertThat(cookie).doesNotContain(ACME_SUPPORT);

    Http.Reply viaCookie = http().send("POST", "/codec/decode", null, "application/json",
        body(sealedInput), "Cookie", cookie, "Origin", UI_ORIGIN, "X-Namespace", "default");
    assertThat(viaCookie.status()).as(viaCookie.body()).isEqualTo(200);
    assertThat(parse(viaCookie.body()).getPayloads(0).getData().toStringUtf8())
        .contains("Grace Hopper-Secret");

    String forged = cookie.substring(0, cookie.length() - 4) + "AAAA";
    Http.Reply withForged = http().send("POST", "/codec/decode", null, "application/json",
        body(sealedInput), "Cookie", forged);
    assertThat(withForged.status()).isEqualTo(401);
  }

  private Http.Reply decode(String key, String body, String namespace) {
    return http().send("POST", "/codec/decode", key, "application/json", body,
        "X-Namespace", namespace);
  }

  private double decodes(String outcome, String role) {
    var counter = registry.find("relay.codec.requests").tag("operation", "decode")
        .tag("outcome", outcome).tag("role", role).counter();
    return counter == null ? 0 : counter.count();
  }

  private static String body(Payload... payloads) throws Exception {
    return JsonFormat.printer().print(Payloads.newBuilder().addAllPayloads(java.util.List.of(payloads)).build());
  }

  private static Payloads parse(String json) throws Exception {
    Payloads.Builder b = Payloads.newBuilder();
    JsonFormat.parser().merge(json, b);
    return b.build();
  }
}
