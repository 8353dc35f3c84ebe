package dev.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenApiTest extends ApiTest {

  @Test
  void theOpenApiDocumentDescribesTheApiWithBearerAuth() {
    Http.Reply r = http().get("/v3/api-docs", null);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode doc = r.json();
    assertThat(doc.path("openapi").asString()).startsWith("3.");
    assertThat(doc.path("paths").has("/v1/deliveries")).isTrue();
    assertThat(doc.path("paths").has("/v1/deliveries/{id}/actions")).isTrue();
    JsonNode batch = doc.path("paths").path("/v1/deliveries/batch").path("post");
    assertThat(batch.path("responses").has("200")).isTrue();
    assertThat(batch.path("description").asString()).contains("rejected").contains("1000");
    assertThat(doc.path("components").path("schemas").has("BatchItem")).isTrue();
    assertThat(doc.path("components").path("schemas").path("BatchItemResult").path("properties")
        .has("deliveryId")).isTrue();
    assertThat(doc.path("paths").has("/v1/recipients/{id}/consents/{purpose}")).isTrue();
    assertThat(doc.path("paths").has("/v1/webhooks/twilio/status")).isTrue();
    JsonNode scheme = doc.path("components").path("securitySchemes").path("apiKey");
    assertThat(scheme.path("type").asString()).isEqualTo("http");
    assertThat(scheme.path("scheme").asString()).isEqualTo("bearer");
    assertThat(doc.path("paths").has("/error")).isFalse();
    assertThat(doc.path("components").path("schemas").has("Problem")).isTrue();
    assertThat(doc.path("paths").path("/v1/deliveries").path("post").path("responses").has("4XX")).isTrue();
    // The webhook is authenticated by Twilio's signature, not an API key.
    assertThat(doc.path("paths").path("/v1/webhooks/twilio/status").path("post").path("security").size())
        .isZero();
    // The principal is resolved from the Authorization header, never a parameter.
    assertThat(r.body()).doesNotContain("ApiKeyPrincipal");
    assertThat(http().get("/swagger-ui.html", null).status()).isEqualTo(200);
  }

  @Test
  void healthIsUp() {
    Http.Reply r = http().get("/actuator/health", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("status").asString()).isEqualTo("UP");
  }
}
