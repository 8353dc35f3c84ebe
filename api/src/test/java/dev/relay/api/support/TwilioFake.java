package dev.relay.api.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Twilio's side of an SMS test: Messages API answers (WireMock) and signed status callbacks. */
public final class TwilioFake {
  private static final String MESSAGES =
      "/2010-04-01/Accounts/" + RelayTestInfrastructure.TWILIO_ACCOUNT + "/Messages.json";

  private TwilioFake() {}

  /** A fresh +1555 number, so each test's stubs match only its own messages. */
  public static String phoneNumber() {
    return "+1555" + (1_000_000 + ThreadLocalRandom.current().nextInt(8_999_999));
  }

  public static String sid() {
    StringBuilder sb = new StringBuilder("SM");
    for (int i = 0; i < 32; i++) {
      sb.append("0123456789abcdef".charAt(ThreadLocalRandom.current().nextInt(16)));
    }
    return sb.toString();
  }

  /** Twilio accepts messages to {@code to} and answers with {@code sid}. */
  public static void accepts(WireMockServer twilio, String to, String sid) {
    twilio.stubFor(post(urlEqualTo(MESSAGES))
        .withRequestBody(containing("To=" + URLEncoder.encode(to, StandardCharsets.UTF_8)))
        .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("""
                {"sid":"%s","account_sid":"%s","to":"%s","from":"%s","body":"hello",
                 "status":"queued","num_segments":"1","direction":"outbound-api",
                 "api_version":"2010-04-01","error_code":null,"error_message":null,
                 "uri":"/2010-04-01/Accounts/%s/Messages/%s.json"}
                """.formatted(sid, RelayTestInfrastructure.TWILIO_ACCOUNT, to,
                RelayTestInfrastructure.TWILIO_FROM, RelayTestInfrastructure.TWILIO_ACCOUNT, sid))));
  }

  /** Twilio refuses messages to {@code to} for good: error 21211, invalid 'To' number. */
  public static void rejectsAsInvalidNumber(WireMockServer twilio, String to) {
    twilio.stubFor(post(urlEqualTo(MESSAGES))
        .withRequestBody(containing("To=" + URLEncoder.encode(to, StandardCharsets.UTF_8)))
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
            .withBody("""
                {"code":21211,"message":"The 'To' number is not a valid phone number.",
                 "more_info":"https://www.twilio.com/docs/errors/21211","status":400}
                """)));
  }

  /** The recipient replied STOP: Twilio refuses messages to {@code to} with error 21610. */
  public static void rejectsAsUnsubscribed(WireMockServer twilio, String to) {
    twilio.stubFor(post(urlEqualTo(MESSAGES))
        .withRequestBody(containing("To=" + URLEncoder.encode(to, StandardCharsets.UTF_8)))
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
            .withBody("""
                {"code":21610,"message":"Attempt to send to unsubscribed recipient",
                 "more_info":"https://www.twilio.com/docs/errors/21610","status":400}
                """)));
  }

  /** X-Twilio-Signature as Twilio computes it: base64(HMAC-SHA1(token, url + sorted k+v)). */
  public static String signature(String token, String url, Map<String, String> params) {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v));
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(
          mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String form(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> {
      if (!sb.isEmpty()) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    return sb.toString();
  }
}
