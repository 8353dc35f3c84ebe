package dev.relay.api.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.config.BootstrapTenants;
import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.store.webhook.StatusWebhookRepository;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** PUT / GET / DELETE /v1/settings/status-webhook. */
class StatusWebhookSettingsTest extends ApiTest {
  private static final String PATH = "/v1/settings/status-webhook";

  @Autowired
  StatusWebhookRepository webhooks;
  @Autowired
  BootstrapTenants bootstrap;

  @AfterEach
  void removeWebhook() {
    webhooks.remove("acme");
  }

  @Test
  void putMakesASecretThatIsShownOnceAndNeverByGet() {
    Http.Reply put = http().put(PATH, ACME_ADMIN, "{\"url\":\"https://hooks.acme.test/relay\"}");

    assertThat(put.status()).as(put.body()).isEqualTo(200);
    JsonNode configured = put.json();
    assertThat(configured.path("url").asString()).isEqualTo("https://hooks.acme.test/relay");
    String secret = configured.path("secret").asString();
    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length()))).hasSize(32);
    assertThat(webhooks.find("acme").orElseThrow().secret()).isEqualTo(secret);

    Http.Reply get = http().get(PATH, ACME_ADMIN);
    assertThat(get.status()).as(get.body()).isEqualTo(200);
    assertThat(get.json().path("url").asString()).isEqualTo("https://hooks.acme.test/relay");
    assertThat(get.json().has("secret")).isFalse();
    assertThat(get.body()).doesNotContain(secret.substring("whsec_".length()));

    // Setting it again rotates the secret.
    String second = http().put(PATH, ACME_ADMIN, "{\"url\":\"https://hooks.acme.test/v2\"}")
        .json().path("secret").asString();
    assertThat(second).startsWith("whsec_").isNotEqualTo(secret);
    assertThat(webhooks.find("acme").orElseThrow().secret()).isEqualTo(second);
    assertThat(http().get(PATH, ACME_ADMIN).json().path("url").asString())
        .isEqualTo("https://hooks.acme.test/v2");
  }

  @Test
  void plainHttpIs400WithoutTheLocalDevelopmentSetting() {
    Http.Reply reply = http().put(PATH, ACME_ADMIN, "{\"url\":\"http://hooks.acme.test/relay\"}");

    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("url");
    assertThat(reply.body()).contains("must be an https URL")
        .contains("relay.webhooks.allow-insecure-local");
    assertThat(webhooks.find("acme")).isEmpty();
  }

  @Test
  void loopbackPrivateAndMetadataAddressesAre422NamingTheAddressAndNothingIsStored() {
    http().put(PATH, ACME_ADMIN, "{\"url\":\"https://hooks.acme.test/relay\"}");
    String before = webhooks.find("acme").orElseThrow().secret();
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("http://127.0.0.1/hook", "must be an https URL"); // 400: the scheme first
    refused.put("https://127.0.0.1/hook", "127.0.0.1 is a loopback address (127.0.0.0/8)");
    refused.put("https://10.0.0.1/hook", "10.0.0.1 is a private address (RFC 1918) (10.0.0.0/8)");
    refused.put("https://169.254.169.254/latest/meta-data",
        "169.254.169.254 is a link-local address (incl. the cloud metadata service");
    refused.put("https://[::1]/", "0:0:0:0:0:0:0:1 is a loopback address (::1/128)");
    refused.put("https://[::ffff:169.254.169.254]/", "169.254.169.254");
    refused.put("https://100.64.1.1/", "carrier-grade NAT");
    refused.put("https://localhost:8443/hook", "localhost resolves to 127.0.0.1, which is a loopback");
    refused.put("https://internal.acme.test/hook",
        "internal.acme.test resolves to 10.20.30.40, which is a private address");
    refused.forEach((url, why) -> {
      Http.Reply reply = http().put(PATH, ACME_ADMIN, "{\"url\":\"" + url + "\"}");
      assertThat(reply.status()).as(url + " -> " + reply.body())
          .isEqualTo(url.startsWith("http:") ? 400 : 422);
      assertThat(reply.contentType()).startsWith("application/problem+json");
      assertThat(reply.errorFields()).as(url).containsExactly("url");
      assertThat(reply.body()).as(url).contains(why);
      if (!url.startsWith("http:")) {
        assertThat(reply.json().path("type").asString())
            .isEqualTo("https://relay.dev/problems/destination-refused");
        assertThat(reply.json().path("detail").asString()).contains(why)
            .contains("public addresses");
      }
    });
    // No partial write: the webhook set before is still there, with its secret.
    assertThat(webhooks.find("acme").orElseThrow().url()).isEqualTo("https://hooks.acme.test/relay");
    assertThat(webhooks.find("acme").orElseThrow().secret()).isEqualTo(before);
  }

  @Test
  void anythingButAnAbsoluteHttpUrlIs400() {
    for (String body : List.of("{\"url\":\"ftp://hooks.acme.test/x\"}", "{\"url\":\"hooks.acme.test\"}",
        "{\"url\":\"not a url\"}", "{\"url\":\"\"}", "{}", "{\"url\":\"https://\"}",
        "{\"url\":\"https://user:pw@hooks.acme.test/x\"}", "{\"url\":\"javascript:alert(1)\"}")) {
      Http.Reply reply = http().put(PATH, ACME_ADMIN, body);
      assertThat(reply.status()).as(body + " -> " + reply.body()).isEqualTo(400);
      assertThat(reply.contentType()).startsWith("application/problem+json");
      assertThat(reply.errorFields()).as(body).containsExactly("url");
    }
    assertThat(webhooks.find("acme")).isEmpty();
  }

  @Test
  void onlyAdminsMaySeeOrChangeIt() {
    String body = "{\"url\":\"https://evil.test/steal\"}";
    for (String key : List.of(ACME_CLIENT, ACME_SUPPORT)) {
      assertThat(http().put(PATH, key, body).status()).isEqualTo(403);
      assertThat(http().get(PATH, key).status()).isEqualTo(403);
      assertThat(http().send("DELETE", PATH, key, null, (String) null).status()).isEqualTo(403);
    }
    assertThat(http().put(PATH, GLOBEX_CLIENT, body).status()).isEqualTo(403);
    assertThat(http().put(PATH, null, body).status()).isEqualTo(401);
    assertThat(webhooks.find("acme")).isEmpty();
  }

  @Test
  void deleteRemovesItAndGetIs404Then() {
    assertThat(http().get(PATH, ACME_ADMIN).status()).isEqualTo(404);
    http().put(PATH, ACME_ADMIN, "{\"url\":\"https://hooks.acme.test/relay\"}");

    assertThat(http().send("DELETE", PATH, ACME_ADMIN, null, (String) null).status())
        .isEqualTo(204);
    Http.Reply get = http().get(PATH, ACME_ADMIN);
    assertThat(get.status()).isEqualTo(404);
    assertThat(get.contentType()).startsWith("application/problem+json");
    assertThat(http().send("DELETE", PATH, ACME_ADMIN, null, (String) null).status())
        .isEqualTo(204);
  }

  @Test
  void aRestartOfTheApiKeepsTheWebhook() throws Exception {
    http().put(PATH, ACME_ADMIN, "{\"url\":\"https://hooks.acme.test/relay\"}");

    bootstrap.run(null); // what every start does with relay.bootstrap

    assertThat(webhooks.find("acme")).hasValueSatisfying(w ->
        assertThat(w.url()).isEqualTo("https://hooks.acme.test/relay"));
  }

  @Test
  void theEndpointIsInTheOpenApiDocument() {
    JsonNode path = http().get("/v3/api-docs", null).json().path("paths").path(PATH);
    assertThat(path.has("put")).isTrue();
    assertThat(path.has("get")).isTrue();
    assertThat(path.has("delete")).isTrue();
  }
}
