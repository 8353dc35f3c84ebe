package dev.relay.api.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.store.provider.ProviderEventRepository;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** GET /v1/providers: provider health from the providers a worker registered and their events. */
class ProvidersTest extends ApiTest {
  @Autowired
  ProviderEventRepository events;

  @Test
  void theWorkersProvidersAreListedClosedUntilTheyChangeState() {
    // The test worker's activities register smtp-primary and twilio in the background.
    JsonNode providers = await(() -> http().get("/v1/providers", ACME_SUPPORT),
        r -> r.status() == 200 && names(r.json()).containsAll(List.of("smtp-primary", "twilio")),
        "the worker's providers listed").json().path("providers");

    JsonNode primary = provider(providers, "smtp-primary");
    assertThat(primary.path("channel").asString()).isEqualTo("EMAIL");
    assertThat(primary.path("position").asInt()).isZero();
    assertThat(primary.path("state").asString()).isEqualTo("CLOSED");
    assertThat(primary.path("since").isNull()).isTrue();
    assertThat(primary.path("transitions").size()).isZero();
    assertThat(provider(providers, "twilio").path("channel").asString()).isEqualTo("SMS");
  }

  @Test
  void theStateIsTheLatestTransitionAndTheTransitionsComeNewestFirstWithTheirTimes() {
    String name = unique("smtp-test");
    Instant opened = Instant.parse("2026-11-20T10:00:00.250Z");
    Instant halfOpened = opened.plusSeconds(15);
    events.record(name, "EMAIL", "CLOSED", "OPEN", opened, "failure rate 100.0%");
    events.record(name, "EMAIL", "OPEN", "HALF_OPEN", halfOpened, null);

    Http.Reply reply = http().get("/v1/providers", ACME_ADMIN);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode provider = provider(reply.json().path("providers"), name);
    assertThat(provider.path("state").asString()).isEqualTo("HALF_OPEN");
    assertThat(Instant.parse(provider.path("since").asString())).isEqualTo(halfOpened);
    JsonNode transitions = provider.path("transitions");
    assertThat(transitions.size()).isEqualTo(2);
    assertThat(transitions.get(0).path("from").asString()).isEqualTo("OPEN");
    assertThat(transitions.get(0).path("to").asString()).isEqualTo("HALF_OPEN");
    assertThat(transitions.get(1).path("to").asString()).isEqualTo("OPEN");
    assertThat(Instant.parse(transitions.get(1).path("at").asString())).isEqualTo(opened);
    assertThat(transitions.get(1).path("detail").asString()).isEqualTo("failure rate 100.0%");

    JsonNode newestOnly = provider(http().get("/v1/providers?transitions=1", ACME_SUPPORT)
        .json().path("providers"), name);
    assertThat(newestOnly.path("transitions").size()).isEqualTo(1);
    JsonNode none = provider(http().get("/v1/providers?transitions=0", ACME_SUPPORT)
        .json().path("providers"), name);
    assertThat(none.path("state").asString()).isEqualTo("HALF_OPEN");
    assertThat(none.path("transitions").size()).isZero();
  }

  @Test
  void onlySupportAndAdminMaySeeProviderHealth() {
    Http.Reply client = http().get("/v1/providers", ACME_CLIENT);
    assertThat(client.status()).isEqualTo(403);
    assertThat(client.contentType()).startsWith("application/problem+json");
    assertThat(http().get("/v1/providers", null).status()).isEqualTo(401);
    assertThat(http().get("/v1/providers", ACME_SUPPORT).status()).isEqualTo(200);
    assertThat(http().get("/v1/providers", ACME_ADMIN).status()).isEqualTo(200);
  }

  @Test
  void aBadTransitionsCountIsNamedIn400() {
    for (String bad : List.of("abc", "-1", "101")) {
      Http.Reply reply = http().get("/v1/providers?transitions=" + bad, ACME_SUPPORT);
      assertThat(reply.status()).as(reply.body()).isEqualTo(400);
      assertThat(reply.errorFields()).containsExactly("transitions");
    }
  }

  @Test
  void theEndpointIsInTheOpenApiDocument() {
    JsonNode doc = http().get("/v3/api-docs", null).json();
    assertThat(doc.path("paths").path("/v1/providers").has("get")).isTrue();
  }

  private static List<String> names(JsonNode body) {
    return StreamSupport.stream(body.path("providers").spliterator(), false)
        .map(p -> p.path("name").asString()).toList();
  }

  private static JsonNode provider(JsonNode providers, String name) {
    for (JsonNode p : providers) {
      if (name.equals(p.path("name").asString())) {
        return p;
      }
    }
    throw new AssertionError("provider " + name + " not in " + providers);
  }
}
