package dev.relay.api.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.config.LimitsProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.store.limits.RateLimitBucketRepository;
import dev.relay.store.limits.TenantLimits;
import dev.relay.store.limits.TenantLimitsRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.ApiKeyRepository;
import dev.relay.store.tenant.Role;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Request rate limits per key and per tenant, delivery quotas per channel, the 429 with its
 * headers, limits shared by API instances, and the admin API. Each test makes its own tenant, so
 * its tight limits throttle nobody else in the shared context.
 */
class LimitsTest extends ApiTest {
  private static final String LIMITS = "/v1/settings/limits";

  @Autowired
  TenantRepository tenants;
  @Autowired
  ApiKeyRepository keys;
  @Autowired
  TenantLimitsRepository settings;
  @Autowired
  RateLimitBucketRepository bucketStore;
  @Autowired
  LimitsProperties properties;

  /** A fresh tenant: [admin key, client key, second client key]. */
  private List<String> tenant() {
    String id = unique("lim");
    tenants.upsertTenant(new Tenant(id, "Limits " + id, null));
    return List.of(
        keys.create(id, Role.ADMIN, "admin", null, "test").value(),
        keys.create(id, Role.CLIENT, "app-1", null, "test").value(),
        keys.create(id, Role.CLIENT, "app-2", null, "test").value());
  }

  private JsonNode putLimits(String adminKey, String body) {
    Http.Reply put = http().put(LIMITS, adminKey, body);
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    return put.json();
  }

  @Test
  void successfulAnswersCarryTheRateLimitHeaders() {
    Http.Reply ok = http().get("/v1/deliveries", ACME_CLIENT);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.header("RateLimit-Policy").orElseThrow())
        .matches("\"key\";q=\\d+;w=\\d+, \"tenant\";q=\\d+;w=\\d+");
    assertThat(ok.header("RateLimit").orElseThrow())
        .matches("\"key\";r=\\d+;t=\\d+, \"tenant\";r=\\d+;t=\\d+");
  }

  @Test
  void aKeyOverItsLimitGets429WithRetryAfterRateLimitHeadersAndAProblemNamingTheLimit() {
    List<String> k = tenant();
    putLimits(k.get(0), "{\"requestsPerKey\":3,\"windowSeconds\":60}");
    for (int i = 0; i < 3; i++) {
      Http.Reply ok = http().get("/v1/deliveries", k.get(1));
      assertThat(ok.status()).as(ok.body()).isEqualTo(200);
      assertThat(ok.header("RateLimit-Policy").orElseThrow()).startsWith("\"key\";q=3;w=60, ");
      assertThat(ok.header("RateLimit").orElseThrow()).startsWith("\"key\";r=" + (2 - i) + ";t=");
    }
    Http.Reply over = http().get("/v1/deliveries", k.get(1));
    assertThat(over.status()).as(over.body()).isEqualTo(429);
    long retryAfter = Long.parseLong(over.header("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(over.header("RateLimit-Policy").orElseThrow()).isEqualTo("\"key\";q=3;w=60");
    assertThat(over.header("RateLimit").orElseThrow()).matches("\"key\";r=0;t=\\d+");
    assertThat(over.contentType()).startsWith("application/problem+json");
    JsonNode problem = over.json();
    assertThat(problem.path("type").asString()).isEqualTo("https://relay.dev/problems/too-many-requests");
    assertThat(problem.path("detail").asString()).contains("per API key", "3 requests per 60 s");
    assertThat(problem.path("limit").path("name").asString()).isEqualTo("key");
    assertThat(problem.path("limit").path("quota").asLong()).isEqualTo(3);
    assertThat(problem.path("limit").path("windowSeconds").asLong()).isEqualTo(60);
    assertThat(problem.path("limit").path("resetsAt").asString()).isNotBlank();

    // Per key: the tenant's other key still works.
    assertThat(http().get("/v1/deliveries", k.get(2)).status()).isEqualTo(200);
  }

  @Test
  void anAdminWhoSetTheLimitsTooLowCanAlwaysRaiseThem() {
    List<String> k = tenant();
    putLimits(k.get(0), "{\"requestsPerKey\":1,\"requestsPerTenant\":1,\"windowSeconds\":86400}");
    assertThat(http().get("/v1/deliveries", k.get(0)).status()).isEqualTo(200);
    assertThat(http().get("/v1/deliveries", k.get(0)).status()).isEqualTo(429);
    // Locked out of everything else for a day, but not out of the limits themselves.
    assertThat(http().get(LIMITS, k.get(0)).status()).isEqualTo(200);
    putLimits(k.get(0), "{}");
    assertThat(http().get("/v1/deliveries", k.get(0)).status()).isEqualTo(200);
  }

  @Test
  void theTenantLimitCountsAllItsKeysTogether() {
    List<String> k = tenant();
    putLimits(k.get(0), "{\"requestsPerTenant\":4,\"windowSeconds\":120}");
    assertThat(http().get("/v1/deliveries", k.get(1)).status()).isEqualTo(200);
    assertThat(http().get("/v1/deliveries", k.get(2)).status()).isEqualTo(200);
    assertThat(http().get("/v1/deliveries", k.get(1)).status()).isEqualTo(200);
    assertThat(http().get("/v1/deliveries", k.get(2)).status()).isEqualTo(200);
    Http.Reply over = http().get("/v1/deliveries", k.get(1));
    assertThat(over.status()).isEqualTo(429);
    assertThat(over.json().path("limit").path("name").asString()).isEqualTo("tenant");
    assertThat(over.header("RateLimit-Policy").orElseThrow()).isEqualTo("\"tenant\";q=4;w=120");
    // The admin key of that tenant is over it too (except for the limits themselves); another
    // tenant is not.
    assertThat(http().get("/v1/providers", k.get(0)).status()).isEqualTo(429);
    assertThat(http().get("/v1/deliveries", GLOBEX_CLIENT).status()).isEqualTo(200);
  }

  @Test
  void aChannelQuotaUsedUpGets429AndCountsOnlyWhatWasAccepted() {
    List<String> k = tenant();
    putLimits(k.get(0), "{\"smsDaily\":2,\"smsMonthly\":100}");
    String client = k.get(1);
    String rcp = recipient(client, unique("q") + "@example.com", "+15550007001", "billing", true,
        true);
    String tpl = emailTemplate(client);

    String sms = deliveryBody(rcp, "billing", tpl, "[\"SMS\"]");
    assertThat(postDelivery(client, "sms-1", sms).status()).isEqualTo(202);
    // A replay counts nothing.
    assertThat(postDelivery(client, "sms-1", sms).status()).isEqualTo(202);
    assertThat(postDelivery(client, "sms-2", sms).status()).isEqualTo(202);

    Http.Reply over = postDelivery(client, "sms-3", sms);
    assertThat(over.status()).as(over.body()).isEqualTo(429);
    assertThat(over.header("Retry-After")).isPresent();
    assertThat(over.header("RateLimit-Policy").orElseThrow()).isEqualTo("\"sms-daily\";q=2;w=86400");
    assertThat(over.header("RateLimit").orElseThrow()).matches("\"sms-daily\";r=0;t=\\d+");
    JsonNode limit = over.json().path("limit");
    assertThat(limit.path("name").asString()).isEqualTo("sms-daily");
    assertThat(limit.path("quota").asLong()).isEqualTo(2);
    assertThat(limit.path("resetsAt").asString()).endsWith("T00:00:00Z");
    assertThat(over.json().path("detail").asString()).contains("daily SMS delivery quota of 2");
    assertThat(count("select count(*) from deliveries where idempotency_key = 'sms-3'"))
        .isZero();

    // A delivery that may use SMS counts on SMS too; EMAIL alone still has room.
    assertThat(postDelivery(client, "both-1",
        deliveryBody(rcp, "billing", tpl, "[\"EMAIL\",\"SMS\"]")).status()).isEqualTo(429);
    assertThat(postDelivery(client, "email-1", deliveryBody(rcp, "billing", tpl, null)).status())
        .isEqualTo(202);

    // A batch counts each item; one that does not fit is refused whole.
    Http.Reply batch = http().post("/v1/deliveries/batch", client, "{\"items\":["
        + item("b-1", rcp, tpl, "[\"EMAIL\"]") + "," + item("b-2", rcp, tpl, "[\"SMS\"]") + "]}");
    assertThat(batch.status()).as(batch.body()).isEqualTo(429);
    assertThat(count("select count(*) from deliveries where idempotency_key in ('b-1','b-2')"))
        .isZero();

    JsonNode view = http().get(LIMITS, k.get(0)).json();
    assertThat(view.path("usage").path("SMS").path("day").asLong()).isEqualTo(2);
    assertThat(view.path("usage").path("EMAIL").path("day").asLong()).isEqualTo(1);
    assertThat(view.path("effective").path("sms").path("daily").asLong()).isEqualTo(2);
  }

  private static String item(String key, String rcp, String tpl, String channels) {
    String body = deliveryBody(rcp, "billing", tpl, channels);
    return "{\"idempotencyKey\":\"" + key + "\"," + body.substring(1);
  }

  @Test
  void twoInstancesOnOneDatabaseShareTheLimit() throws Exception {
    String tenant = unique("lim");
    tenants.upsertTenant(new Tenant(tenant, "Shared", null));
    settings.save(tenant, new TenantLimits(5, null, 60, null, null, null, null, null, null),
        "test");
    // Two API instances: each its own proxy manager, bucket cache and settings cache.
    RateLimits first = new RateLimits(properties, settings, bucketStore);
    RateLimits second = new RateLimits(properties, settings, bucketStore);
    ApiKeyPrincipal caller = new ApiKeyPrincipal(tenant, Role.CLIENT, "app", "key_shared");

    AtomicInteger allowed = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Void>> calls = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        RateLimits instance = i % 2 == 0 ? first : second;
        calls.add(() -> {
          try {
            instance.take(caller);
            allowed.incrementAndGet();
          } catch (ApiProblem e) {
            refused.incrementAndGet();
          }
          return null;
        });
      }
      for (Future<Void> f : pool.invokeAll(calls)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(allowed.get()).isEqualTo(5);
    assertThat(refused.get()).isEqualTo(11);
  }

  @Test
  void badAdminInputIs400NamingTheFieldAndChangesAreAudited() {
    List<String> k = tenant();
    String admin = k.get(0);
    Http.Reply bad = http().put(LIMITS, admin,
        "{\"requestsPerKey\":0,\"windowSeconds\":90000}");
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    assertThat(bad.errorFields()).containsExactlyInAnyOrder("requestsPerKey", "windowSeconds");
    // Each value well-formed, the pair impossible: 422.
    Http.Reply inverted = http().put(LIMITS, admin, "{\"smsDaily\":50,\"smsMonthly\":10}");
    assertThat(inverted.status()).as(inverted.body()).isEqualTo(422);
    assertThat(inverted.errorFields()).containsExactly("smsDaily");
    Http.Reply wrongType = http().put(LIMITS, admin, "{\"emailDaily\":\"lots\"}");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.errorFields()).containsExactly("emailDaily");
    // JSON Schema integers: 5.0 is one, 2.5 is not (never truncated to 2).
    Http.Reply fraction = http().put(LIMITS, admin, "{\"emailDaily\":2.5}");
    assertThat(fraction.status()).isEqualTo(400);
    assertThat(fraction.errorFields()).containsExactly("emailDaily");
    assertThat(http().put(LIMITS, admin, "{\"emailDaily\":5.0}").json().path("set")
        .path("emailDaily").asLong()).isEqualTo(5);
    Http.Reply unknown = http().put(LIMITS, admin, "{\"perSecond\":5}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.errorFields()).containsExactly("perSecond");
    assertThat(http().put(LIMITS, k.get(1), "{}").status()).as("client key").isEqualTo(403);

    JsonNode set = putLimits(admin, "{\"emailDaily\":500}");
    assertThat(set.path("set").path("emailDaily").asLong()).isEqualTo(500);
    assertThat(set.path("set").path("smsDaily").isNull()).isTrue();
    assertThat(set.path("effective").path("email").path("daily").asLong()).isEqualTo(500);
    assertThat(set.path("effective").path("sms").path("daily").asLong())
        .isEqualTo(properties.smsDaily());
    String tenantId = tenantOf(admin);
    assertThat(count("select count(*) from audit_events where tenant_id = ? and step = 'limits'",
        tenantId)).as("the 5.0 and the 500").isEqualTo(2);
    assertThat(http().get(LIMITS, admin).json().path("set").path("emailDaily").asLong())
        .isEqualTo(500);
  }

  private String tenantOf(String key) {
    return keys.authenticate(key).orElseThrow().tenantId();
  }
}
