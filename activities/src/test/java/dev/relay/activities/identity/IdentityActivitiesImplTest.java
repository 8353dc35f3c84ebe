package dev.relay.activities.identity;

import static dev.relay.activities.TestStore.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.activities.TestStore;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.IdentityQuery;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.tenant.Tenant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdentityActivitiesImplTest {
  private TestStore store;
  private IdentityActivitiesImpl identity;

  @BeforeEach
  void setUp() {
    store = TestStore.fresh();
    identity = new IdentityActivitiesImpl(store.recipients);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void verifiedContactPointIsReturned() {
    store.recipients.upsert(TENANT, "r1", "Ann", true, List.of(
        new ContactPoint("EMAIL", "ann@example.com", true, null),
        new ContactPoint("SMS", "+15005550006", true, null)));

    assertThat(identity.verifyRecipient(new IdentityQuery(TENANT, "r1", Channel.EMAIL)))
        .isEqualTo(IdentityCheck.ok("ann@example.com"));
    assertThat(identity.verifyRecipient(new IdentityQuery(TENANT, "r1", Channel.SMS)))
        .isEqualTo(IdentityCheck.ok("+15005550006"));
  }

  @Test
  void unknownRecipientIsNotFound() {
    assertFailure(identity.verifyRecipient(new IdentityQuery(TENANT, "nobody", Channel.EMAIL)),
        DeliveryErrorType.RECIPIENT_NOT_FOUND);
  }

  @Test
  void recipientsOfAnotherTenantAreNotFound() {
    store.tenants.upsertTenant(new Tenant("other", "Other", null));
    store.recipients.upsert("other", "r1", "Ann", true,
        List.of(new ContactPoint("EMAIL", "ann@example.com", true, null)));

    assertFailure(identity.verifyRecipient(new IdentityQuery(TENANT, "r1", Channel.EMAIL)),
        DeliveryErrorType.RECIPIENT_NOT_FOUND);
  }

  @Test
  void inactiveRecipientIsRefused() {
    store.recipients.upsert(TENANT, "r1", "Ann", false,
        List.of(new ContactPoint("EMAIL", "ann@example.com", true, null)));

    assertFailure(identity.verifyRecipient(new IdentityQuery(TENANT, "r1", Channel.EMAIL)),
        DeliveryErrorType.RECIPIENT_INACTIVE);
  }

  @Test
  void missingContactPointForTheChannel() {
    store.recipients.upsert(TENANT, "r1", "Ann", true,
        List.of(new ContactPoint("EMAIL", "ann@example.com", true, null)));

    assertFailure(identity.verifyRecipient(new IdentityQuery(TENANT, "r1", Channel.SMS)),
        DeliveryErrorType.CONTACT_MISSING);
  }

  @Test
  void unverifiedContactPointIsRefused() {
    store.recipients.upsert(TENANT, "r1", "Ann", true,
        List.of(new ContactPoint("EMAIL", "ann@example.com", false, null)));

    assertFailure(identity.verifyRecipient(new IdentityQuery(TENANT, "r1", Channel.EMAIL)),
        DeliveryErrorType.CONTACT_UNVERIFIED);
  }

  @Test
  void suppressedContactPointIsRefusedWithItsReasonButNotItsAddress() {
    store.recipients.upsert(TENANT, "r1", "Ann", true,
        List.of(new ContactPoint("EMAIL", "ann@example.com", true, "hard bounce 5.1.1")));

    IdentityCheck check =
        identity.verifyRecipient(new IdentityQuery(TENANT, "r1", Channel.EMAIL));

    assertFailure(check, DeliveryErrorType.CONTACT_SUPPRESSED);
    assertThat(check.reason()).contains("hard bounce 5.1.1").doesNotContain("ann@example.com");
  }

  @Test
  void databaseErrorsPropagateForTemporalToRetry() {
    store.close();

    assertThatThrownBy(() ->
        identity.verifyRecipient(new IdentityQuery(TENANT, "r1", Channel.EMAIL)))
        .isInstanceOf(RuntimeException.class);
  }

  private static void assertFailure(IdentityCheck check, DeliveryErrorType type) {
    assertThat(check.verified()).isFalse();
    assertThat(check.failure()).isEqualTo(type);
    assertThat(check.address()).isNull();
    assertThat(check.reason()).isNotBlank();
  }
}
