package dev.relay.api.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.api.auth.ApiKeyInterceptor;
import dev.relay.api.auth.FailedAuthThrottle;
import dev.relay.api.config.AuthProperties;
import dev.relay.api.config.BootstrapTenants;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.store.tenant.ApiKeyRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import tools.jackson.databind.JsonNode;

/** Keys made, listed, rotated and revoked through the admin API; brute force throttled. */
class ApiKeyLifecycleTest extends ApiTest {
  private static final String KEYS = "/v1/api-keys";

  @Autowired
  ApiKeyRepository keys;
  @Autowired
  BootstrapTenants bootstrap;

  private JsonNode create(String role, String name) {
    Http.Reply made = http().post(KEYS, ACME_ADMIN,
        "{\"role\":\"" + role + "\",\"name\":\"" + name + "\"}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    return made.json();
  }

  private JsonNode listed(String id) {
    for (JsonNode k : http().get(KEYS, ACME_ADMIN).json().path("keys")) {
      if (k.path("id").asString().equals(id)) {
        return k;
      }
    }
    throw new AssertionError("key " + id + " is not listed");
  }

  @Test
  void aKeyIsShownOnceListedWithoutItsValueAndWorksForItsRole() {
    String name = unique("billing");
    JsonNode made = create("client", name);
    String value = made.path("value").asString();
    String id = made.path("id").asString();
    assertThat(value).startsWith("rly_").hasSizeGreaterThan(40);
    assertThat(made.path("prefix").asString()).isEqualTo(value.substring(0, 12));

    assertThat(http().get("/v1/deliveries", value).status()).isEqualTo(200);
    // A client key is a client: it may not make keys.
    assertThat(http().post(KEYS, value, "{\"role\":\"admin\",\"name\":\"x\"}").status())
        .isEqualTo(403);

    JsonNode view = listed(id);
    assertThat(view.path("role").asString()).isEqualTo("client");
    assertThat(view.path("name").asString()).isEqualTo(name);
    assertThat(view.path("state").asString()).isEqualTo("active");
    assertThat(view.path("source").asString()).isEqualTo("api");
    assertThat(view.path("lastUsedAt").isNull()).as("last use recorded").isFalse();
    assertThat(http().get(KEYS, ACME_ADMIN).body()).doesNotContain(value.substring(12));
    assertThat(http().get(KEYS + "/" + id, ACME_ADMIN).json().path("id").asString()).isEqualTo(id);
    // Configured keys are listed too, without a prefix.
    assertThat(http().get(KEYS, ACME_ADMIN).json().path("keys").findValuesAsString("source"))
        .contains("bootstrap");
  }

  @Test
  void rotationKeepsTheOldKeyForTheOverlapAndAZeroOverlapEndsItAtOnce() {
    JsonNode first = create("support", unique("ops"));
    Http.Reply rotated = http().post(KEYS + "/" + first.path("id").asString() + "/rotate",
        ACME_ADMIN, "{\"overlap\":\"PT1H\"}");
    assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
    String second = rotated.json().path("key").path("value").asString();
    JsonNode previous = rotated.json().path("previous");
    assertThat(previous.path("replacedBy").asString())
        .isEqualTo(rotated.json().path("key").path("id").asString());
    Instant until = Instant.parse(previous.path("expiresAt").asString());
    assertThat(until).isBetween(Instant.now().plus(Duration.ofMinutes(59)),
        Instant.now().plus(Duration.ofMinutes(61)));
    assertThat(rotated.json().path("key").path("role").asString()).isEqualTo("support");

    // Both work during the overlap.
    assertThat(http().get("/v1/deliveries", first.path("value").asString()).status()).isEqualTo(200);
    assertThat(http().get("/v1/deliveries", second).status()).isEqualTo(200);

    // Rotating the new one with no overlap retires it at once.
    String secondId = rotated.json().path("key").path("id").asString();
    Http.Reply third = http().post(KEYS + "/" + secondId + "/rotate", ACME_ADMIN,
        "{\"overlap\":\"PT0S\"}");
    assertThat(third.status()).as(third.body()).isEqualTo(201);
    assertThat(http().get("/v1/deliveries", second).status()).isEqualTo(401);
    assertThat(listed(secondId).path("state").asString()).isEqualTo("expired");
    assertThat(http().get("/v1/deliveries", third.json().path("key").path("value").asString())
        .status()).isEqualTo(200);
    // An expired key cannot be rotated again.
    Http.Reply again = http().post(KEYS + "/" + secondId + "/rotate", ACME_ADMIN, "{}");
    assertThat(again.status()).as(again.body()).isEqualTo(409);
  }

  @Test
  void aSuccessorOfAnExpiringKeyGetsTheSameLifetimeAndARevokedKeyIsAConflict() {
    Instant expires = Instant.now().plus(Duration.ofDays(10));
    Http.Reply made = http().post(KEYS, ACME_ADMIN, "{\"role\":\"client\",\"name\":\""
        + unique("expiring") + "\",\"expiresAt\":\"" + expires + "\"}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    String id = made.json().path("id").asString();
    Http.Reply rotated = http().post(KEYS + "/" + id + "/rotate", ACME_ADMIN, "{}");
    assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
    Instant next = Instant.parse(rotated.json().path("key").path("expiresAt").asString());
    assertThat(next).isBetween(expires.minusSeconds(60), expires.plusSeconds(60));

    String nextId = rotated.json().path("key").path("id").asString();
    http().send("POST", KEYS + "/" + nextId + "/revoke", ACME_ADMIN, null, (String) null);
    Http.Reply again = http().post(KEYS + "/" + nextId + "/rotate", ACME_ADMIN, "{}");
    assertThat(again.status()).as(again.body()).isEqualTo(409);
    assertThat(again.body()).contains("is revoked");
  }

  @Test
  void aRevokedKeyStaysRevokedAndEveryChangeIsAudited() {
    JsonNode made = create("client", unique("leaked"));
    String id = made.path("id").asString();
    Http.Reply revoked = http().send("POST", KEYS + "/" + id + "/revoke", ACME_ADMIN, null, (String) null);
    assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
    assertThat(revoked.json().path("state").asString()).isEqualTo("revoked");
    assertThat(http().get("/v1/deliveries", made.path("value").asString()).status()).isEqualTo(401);
    // Idempotent: a second revoke answers the same and audits nothing new.
    assertThat(http().send("POST", KEYS + "/" + id + "/revoke", ACME_ADMIN, null, (String) null).status())
        .isEqualTo(200);

    List<String> outcomes = jdbi.withHandle(h -> h.createQuery("""
            select outcome from audit_events
            where tenant_id = 'acme' and step = 'api-key' and detail like :id order by chain_seq
            """).bind("id", "key " + id + " %").mapTo(String.class).list());
    assertThat(outcomes).containsExactly("created", "revoked");
    String actor = jdbi.withHandle(h -> h.createQuery("""
            select actor from audit_events where step = 'api-key' and detail like :id limit 1
            """).bind("id", "key " + id + " %").mapTo(String.class).one());
    assertThat(actor).startsWith("admin:");
  }

  @Test
  void aConfiguredKeyRevokedThroughTheApiStaysRevokedWhenTheAppStartsAgain() throws Exception {
    String configured = GLOBEX_SUPPORT;
    String id = keys.authenticate(configured).orElseThrow().keyId();
    assertThat(keys.revoke("globex", id, "admin:test")).isPresent();
    assertThat(http().get("/v1/deliveries", configured).status()).isEqualTo(401);

    // What a restart runs: the bootstrap list still names the key.
    bootstrap.run(new DefaultApplicationArguments());
    assertThat(http().get("/v1/deliveries", configured).status()).isEqualTo(401);
    jdbi.useHandle(h -> h.execute("update api_keys set revoked_at = null where id = ?", id));
  }

  @Test
  void badInputIsA400NamingTheFieldAndOtherTenantsKeysAreNotFound() {
    Http.Reply bad = http().post(KEYS, ACME_ADMIN,
        "{\"role\":\"root\",\"name\":\"\",\"expiresAt\":\"yesterday\"}");
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    assertThat(bad.errorFields()).containsExactlyInAnyOrder("role", "name", "expiresAt");
    assertThat(http().post(KEYS, ACME_ADMIN, "{\"role\":\"client\",\"name\":\"x\","
        + "\"expiresAt\":\"tomorrow\"}").errorFields()).containsExactly("expiresAt");

    String id = create("client", unique("mine")).path("id").asString();
    Http.Reply overlap = http().post(KEYS + "/" + id + "/rotate", ACME_ADMIN,
        "{\"overlap\":\"P400D\"}");
    assertThat(overlap.status()).as("well-formed, but longer than allowed").isEqualTo(422);
    assertThat(overlap.errorFields()).containsExactly("overlap");
    Http.Reply past = http().post(KEYS, ACME_ADMIN, "{\"role\":\"client\",\"name\":\"x\","
        + "\"expiresAt\":\"2001-01-01T00:00:00Z\"}");
    assertThat(past.status()).as("well-formed, but in the past").isEqualTo(422);
    assertThat(past.errorFields()).containsExactly("expiresAt");
    assertThat(http().post(KEYS + "/" + id + "/rotate", ACME_ADMIN, "{\"overlap\":\"pt1h\"}")
        .errorFields()).as("the document's pattern: upper case").containsExactly("overlap");
    assertThat(http().post(KEYS, ACME_ADMIN, "{\"role\":\"CLIENT\",\"name\":\"x\"}")
        .errorFields()).as("roles as the document spells them").containsExactly("role");

    // Globex's admin does not exist here; its support key may not see keys at all.
    assertThat(http().get(KEYS + "/" + id, GLOBEX_SUPPORT).status()).isEqualTo(403);
    assertThat(http().get(KEYS + "/key_0000", ACME_ADMIN).status()).isEqualTo(404);
    assertThat(http().send("POST", KEYS + "/key_0000/revoke", ACME_ADMIN, null, (String) null)
        .status()).isEqualTo(404);
  }

  @Test
  void repeatedFailedAuthenticationFromOneAddressIsThrottledAndOthersAreNot() {
    AuthProperties strict = new AuthProperties(3, Duration.ofMinutes(10), 1000,
        Duration.ofMinutes(1), Duration.ofDays(30));
    ApiKeyInterceptor guard = new ApiKeyInterceptor(keys, new FailedAuthThrottle(strict), strict);
    String attacker = "203.0.113.9";
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> guard.authenticate("Bearer guess-" + Math.random(), attacker))
          .isInstanceOfSatisfying(ApiProblem.class,
              p -> assertThat(p.type()).isEqualTo(ProblemType.UNAUTHENTICATED));
    }
    // Now even a right key from that address is 429, with a Retry-After.
    assertThatThrownBy(() -> guard.authenticate("Bearer " + ACME_CLIENT, attacker))
        .isInstanceOfSatisfying(ApiProblem.class, p -> {
          assertThat(p.type()).isEqualTo(ProblemType.TOO_MANY_REQUESTS);
          assertThat(Long.parseLong(p.headers().getFirst("Retry-After"))).isBetween(1L, 600L);
        });
    assertThat(guard.authenticate("Bearer " + ACME_CLIENT, "198.51.100.4").tenantId())
        .isEqualTo("acme");
  }
}
