package dev.relay.store.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.store.RelayDatabase;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConsentRepositoryTest {
  static Jdbi jdbi;
  static ConsentRepository consents;

  @BeforeAll
  static void setUp() {
    jdbi = RelayDatabase.jdbi(TestDatabase.fresh());
    consents = new ConsentRepository(jdbi);
    new TenantRepository(jdbi).upsertTenant(new Tenant("acme", "Acme", null));
    new RecipientRepository(jdbi).upsert("acme", "alice", "Alice", true, List.of());
  }

  @Test
  void eachChangeIsANewVersionCarryingOtherChannelsForward() {
    List<ConsentRecord> v1 = consents.record("acme", "alice", "billing",
        Map.of("EMAIL", true, "SMS", true), "signup", "form #1");
    List<ConsentRecord> v2 = consents.record("acme", "alice", "billing",
        Map.of("EMAIL", false), "unsubscribe-link", null);

    assertThat(v1).allSatisfy(r -> assertThat(r.version()).isEqualTo(1));
    assertThat(v2).extracting(ConsentRecord::channel, ConsentRecord::granted, ConsentRecord::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("EMAIL", false, 2),
            org.assertj.core.groups.Tuple.tuple("SMS", true, 2));
    // One instant per version, so an as-of query never sees half a version.
    assertThat(v2).extracting(ConsentRecord::recordedAt).containsOnly(v2.get(0).recordedAt());

    Instant between = v1.get(0).recordedAt();
    assertThat(consents.decisionAsOf("acme", "alice", "billing", "EMAIL", between))
        .hasValueSatisfying(r -> assertThat(r.granted()).isTrue());
    assertThat(consents.decisionAsOf("acme", "alice", "billing", "EMAIL", Instant.now().plusSeconds(5)))
        .hasValueSatisfying(r -> assertThat(r.version()).isEqualTo(2));
    assertThat(consents.decisionAsOf("acme", "alice", "billing", "EMAIL", between.minusSeconds(60)))
        .isEmpty();
    assertThat(consents.history("acme", "alice", "billing")).hasSize(4);
  }

  @Test
  void consentHistoryCannotBeRewritten() {
    consents.record("acme", "alice", "legal", Map.of("EMAIL", true), "contract", "clause 7");
    assertThatThrownBy(() -> jdbi.useHandle(h -> h.execute("update consents set granted = false")))
        .hasMessageContaining("append-only");
  }
}
