package dev.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.store.tenant.Role;
import dev.relay.store.tenant.ApiKeyRepository;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** API keys, roles and tenant isolation. */
class AuthTest extends ApiTest {
  @Autowired
  ApiKeyRepository keys;

  static void assertProblem(Http.Reply r, int status) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().path("status").asInt()).isEqualTo(status);
  }

  @Test
  void noKeyOrAnUnknownKeyIs401() {
    Http.Reply none = http().get("/v1/deliveries", null);
    assertProblem(none, 401);
    assertThat(none.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertProblem(http().get("/v1/deliveries", "not-a-key"), 401);
    assertProblem(http().send("GET", "/v1/deliveries", null, null, (String) null,
        "Authorization", "Basic " + ACME_CLIENT), 401);
    assertProblem(http().send("GET", "/v1/deliveries", null, null, (String) null,
        "Authorization", "Bearer "), 401);
    // Authentication comes before validation: nothing about the request leaks to strangers.
    assertProblem(http().post("/v1/deliveries", "not-a-key", "{"), 401);
  }

  @Test
  void aRevokedKeyIs401() {
    String key = unique("revoked-key-0000");
    keys.ensureConfigured(key, "acme", Role.CLIENT, "old-app");
    assertThat(http().get("/v1/deliveries", key).status()).isEqualTo(200);
    jdbi.useHandle(h -> h.execute(
        "update api_keys set revoked_at = now() where name = 'old-app' and tenant_id = 'acme'"));
    assertProblem(http().get("/v1/deliveries", key), 401);
  }

  @Test
  void rolesLimitWhatAKeyMayDo() {
    String anyDelivery = "/v1/deliveries/dlv-00000000000000000000000000000000";
    assertProblem(http().post(anyDelivery + "/actions", ACME_CLIENT,
        "{\"action\":\"CANCEL\",\"reason\":\"client wants to\"}"), 403);
    assertProblem(http().post("/v1/deliveries", ACME_SUPPORT, "{}", "Idempotency-Key", "k"), 403);
    assertProblem(http().put("/v1/recipients/r1", ACME_SUPPORT, "{}"), 403);
    assertProblem(http().put("/v1/templates/t1", ACME_SUPPORT, "{\"textBody\":\"x\"}"), 403);
    Http.Reply forbidden = http().get("/v1/recipients/r1", ACME_SUPPORT);
    assertProblem(forbidden, 403);
    assertThat(forbidden.json().path("type").asString()).endsWith("/forbidden");

    // Reading deliveries is for clients and support; admins may do everything.
    assertThat(http().get("/v1/deliveries", ACME_SUPPORT).status()).isEqualTo(200);
    assertThat(http().get("/v1/deliveries", ACME_CLIENT).status()).isEqualTo(200);
    assertProblem(http().post(anyDelivery + "/actions", ACME_ADMIN,
        "{\"action\":\"CANCEL\",\"reason\":\"admin\"}"), 404);
    assertThat(http().put("/v1/recipients/" + unique("r"), ACME_ADMIN,
        "{\"displayName\":\"By admin\"}").status()).isEqualTo(200);
  }

  @Test
  void anotherTenantsDeliveryIsNotFoundLikeAnUnknownOne() {
    String recipient = recipient(ACME_CLIENT, unique("iso") + "@example.org", null, "billing", true, false);
    String template = emailTemplate(ACME_CLIENT);
    String id = postDelivery(ACME_CLIENT, unique("key"), deliveryBody(recipient, "billing", template, null))
        .json().path("deliveryId").asString();
    assertThat(http().get("/v1/deliveries/" + id, ACME_CLIENT).status()).isEqualTo(200);

    Http.Reply foreign = http().get("/v1/deliveries/" + id, GLOBEX_CLIENT);
    Http.Reply unknown = http().get("/v1/deliveries/dlv-ffffffffffffffffffffffffffffffff", GLOBEX_CLIENT);
    assertProblem(foreign, 404);
    assertProblem(unknown, 404);
    assertThat(foreign.json().path("type").asString()).isEqualTo(unknown.json().path("type").asString());
    assertProblem(http().get("/v1/deliveries/" + id + "/audit", GLOBEX_CLIENT), 404);
    assertProblem(http().get("/v1/recipients/" + recipient, GLOBEX_CLIENT), 404);
    assertProblem(http().get("/v1/templates/" + template, GLOBEX_CLIENT), 404);
    assertProblem(http().get("/v1/recipients/" + recipient + "/consents/billing", GLOBEX_CLIENT), 404);
  }
}
