package dev.relay.store.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.store.RelayDatabase;
import dev.relay.store.testing.TestDatabase;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProviderEventRepositoryTest {
  static ProviderEventRepository providers;

  @BeforeAll
  static void setUp() {
    providers = new ProviderEventRepository(RelayDatabase.jdbi(TestDatabase.fresh()));
  }

  @Test
  void transitionsAreKeptWithTheirOwnTimeNewestFirst() {
    Instant opened = Instant.parse("2026-11-20T10:00:00.123456Z");
    Instant halfOpened = opened.plusSeconds(15);
    providers.record("smtp-a", "EMAIL", "CLOSED", "OPEN", opened, "failure rate 100.0%");
    providers.record("smtp-a", "EMAIL", "OPEN", "HALF_OPEN", halfOpened, null);
    providers.record("smtp-b", "EMAIL", "CLOSED", "OPEN", opened, null);

    assertThat(providers.recent("smtp-a", 10))
        .extracting(ProviderEvent::toState, ProviderEvent::occurredAt)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("HALF_OPEN", halfOpened),
            org.assertj.core.groups.Tuple.tuple("OPEN", opened));
    assertThat(providers.recent("smtp-a", 1)).singleElement()
        .satisfies(e -> assertThat(e.fromState()).isEqualTo("OPEN"));
    assertThat(providers.recent("smtp-a", 10).get(1).detail()).isEqualTo("failure rate 100.0%");
  }

  @Test
  void theCatalogueListsRegisteredProvidersInRoutingOrderAndProvidersOnlySeenInEvents() {
    providers.register("twilio", "SMS", 0);
    providers.register("smtp-secondary", "EMAIL", 1);
    providers.register("smtp-primary", "EMAIL", 0);
    providers.register("smtp-primary", "EMAIL", 0); // a second worker starting
    providers.record("smtp-retired", "EMAIL", "CLOSED", "OPEN", Instant.now(), null);

    assertThat(providers.providers()).extracting(RegisteredProvider::name)
        .containsSubsequence("smtp-primary", "smtp-secondary", "twilio")
        .contains("smtp-retired")
        .doesNotHaveDuplicates();
  }
}
