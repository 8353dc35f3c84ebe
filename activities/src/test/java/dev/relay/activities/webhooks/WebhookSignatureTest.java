package dev.relay.activities.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  /** The Standard Webhooks specification's published test vector. */
  @Test
  void matchesTheStandardWebhooksTestVector() {
    assertThat(WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, "{\"test\": 2432232314}"))
        .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void everyPartIsSigned() {
    String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    String base = WebhookSignature.sign(secret, "evt-1", 100L, "{}");
    assertThat(WebhookSignature.sign(secret, "evt-2", 100L, "{}")).isNotEqualTo(base);
    assertThat(WebhookSignature.sign(secret, "evt-1", 101L, "{}")).isNotEqualTo(base);
    assertThat(WebhookSignature.sign(secret, "evt-1", 100L, "{ }")).isNotEqualTo(base);
    assertThat(WebhookSignature.sign("whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==", "evt-1",
        100L, "{}")).isNotEqualTo(base);
  }
}
