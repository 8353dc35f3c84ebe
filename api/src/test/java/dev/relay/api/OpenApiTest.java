package dev.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

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
    assertThat(doc.path("paths").path("/v1/deliveries").path("post").path("responses").has("422")).isTrue();
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

  /** The checked-in document the client is generated from (api/openapi.json). */
  static final Path SNAPSHOT = Path.of("openapi.json");

  /**
   * The document is a contract: the copy in the repository (from which the test client is
   * generated) must be what the API serves. After an intended change, rewrite it with
   * {@code ./mvnw -pl api test -Dtest=OpenApiTest -Drelay.updateOpenApi=true} and review the diff.
   */
  @Test
  void theCheckedInDocumentIsWhatTheApiServes() throws IOException {
    Http.Reply r = http().get("/v3/api-docs", null);
    assertThat(r.status()).isEqualTo(200);
    JsonMapper pretty = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
    JsonNode served = pretty.readTree(r.body());
    // The server URL is the test's random port: not part of the contract.
    ((tools.jackson.databind.node.ObjectNode) served).remove("servers");
    String text = pretty.writeValueAsString(pretty.treeToValue(served, Object.class)) + "\n";
    if (Boolean.getBoolean("relay.updateOpenApi") || !Files.exists(SNAPSHOT)) {
      Files.writeString(SNAPSHOT, text, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(SNAPSHOT, StandardCharsets.UTF_8))
        .as("api/openapi.json is not what the API serves; rerun with -Drelay.updateOpenApi=true "
            + "and review the diff")
        .isEqualTo(text);
  }

  @Test
  void everyOperationHasANameAndEveryErrorIsAProblemDocument() {
    JsonNode doc = http().get("/v3/api-docs", null).json();
    Set<String> ids = new HashSet<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
      for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
        String where = op.getKey().toUpperCase() + " " + path.getKey();
        String id = op.getValue().path("operationId").asString();
        if (id.isEmpty() || id.matches(".*_\\d+$") || !ids.add(id)) {
          problems.add(where + ": operationId '" + id + "' is missing, numbered or repeated");
        }
        JsonNode responses = op.getValue().path("responses");
        for (Map.Entry<String, JsonNode> response : responses.properties()) {
          String code = response.getKey();
          if (!code.matches("[1-5][0-9][0-9]")) {
            problems.add(where + ": response '" + code + "' is a range, not a status");
          } else if (code.charAt(0) >= '4' && !response.getValue().path("content")
              .path("application/problem+json").path("schema").path("$ref").asString()
              .endsWith("/Problem")) {
            problems.add(where + ": " + code + " is not a problem document");
          }
        }
        // Operations open without a key (Twilio's signed webhook, one-click unsubscribe) say
        // so with an empty security list; every other one answers 401 and 429.
        boolean open = op.getValue().has("security") && op.getValue().path("security").isEmpty();
        if (!open && !(responses.has("401") && responses.has("429"))) {
          problems.add(where + ": no 401 or no 429");
        }
        for (JsonNode parameter : op.getValue().path("parameters")) {
          if (parameter.path("schema").isMissingNode()) {
            problems.add(where + ": parameter " + parameter.path("name").asString() + " has no schema");
          }
        }
      }
    }
    assertThat(problems).isEmpty();
    JsonNode paths = doc.path("paths");
    assertThat(paths.path("/v1/deliveries").path("post").path("operationId").asString())
        .isEqualTo("createDelivery");
    assertThat(paths.path("/v1/deliveries").path("get").path("operationId").asString())
        .isEqualTo("listDeliveries");
    // nextCursor is null on the last page, and the document says so.
    assertThat(doc.path("components").path("schemas").path("Page").path("properties")
        .path("nextCursor").toString()).contains("null");
    // limit is a number: `limit=` is not one, so its 400 is what the document promises.
    assertThat(paths.path("/v1/deliveries").path("get").path("parameters").toString())
        .contains("\"integer\"");
  }
}
