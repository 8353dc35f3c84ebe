package dev.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import tools.jackson.databind.JsonNode;

class OpenApiTest extends ApiTest {
  @LocalManagementPort
  int managementPort;

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
    JsonNode verification = doc.path("paths").path("/v1/recipients/{id}/contacts/SMS/verification");
    assertThat(verification.path("post").path("operationId").asString())
        .isEqualTo("startSmsVerification");
    assertThat(verification.path("post").path("responses").has("429")).isTrue();
    JsonNode confirm = doc.path("paths")
        .path("/v1/recipients/{id}/contacts/SMS/verification/confirm").path("post");
    assertThat(confirm.path("operationId").asString()).isEqualTo("confirmSmsVerification");
    assertThat(confirm.path("responses").has("422")).isTrue();
    assertThat(confirm.path("responses").has("410")).isTrue();
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
  }

  @Test
  void swaggerUiAndActuatorAreOnTheManagementPortOnly() {
    Http management = new Http("http://127.0.0.1:" + managementPort);
    assertThat(managementPort).isNotEqualTo(port);
    Http.Reply health = management.get("/actuator/health", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().path("status").asString()).isEqualTo("UP");
    assertThat(management.get("/actuator/prometheus", null).status()).isEqualTo(200);
    Http.Reply ui = management.get("/actuator/swagger-ui/index.html", null);
    assertThat(ui.status()).as(ui.body()).isEqualTo(200);
    Http.Reply doc = management.get("/actuator/openapi", null);
    assertThat(doc.status()).as(doc.body()).isEqualTo(200);
    assertThat(doc.json().path("paths").has("/v1/deliveries")).isTrue();

    // The public port has the API and its document, nothing else.
    for (String path : List.of("/actuator/health", "/actuator/prometheus", "/actuator",
        "/swagger-ui.html", "/swagger-ui/index.html", "/actuator/swagger-ui")) {
      assertThat(http().get(path, null).status()).as(path).isEqualTo(404);
    }
  }
}
