package dev.relay.store.sealed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.relay.store.RelayDatabase;
import dev.relay.store.audit.AuditKeys;
import dev.relay.store.consent.ConsentRecord;
import dev.relay.store.consent.ConsentRepository;
import dev.relay.store.delivery.DeliveryRepository;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.payload.RenderedPayload;
import dev.relay.store.payload.RenderedPayloadRepository;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.testing.TestDatabase;
import dev.relay.store.webhook.StatusWebhookRepository;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Encryption at rest: no plaintext of a sealed field in the database, crypto-shredding of a
 * recipient's and a tenant's data, KEK rotation without losing old rows, legacy plaintext rows
 * still read and backfilled.
 */
class EncryptionAtRestTest {
  static final String K1 = "k1:" + Base64.getEncoder().encodeToString(bytes(1));
  static final String K2 = "k2:" + Base64.getEncoder().encodeToString(bytes(2));

  static byte[] bytes(int seed) {
    byte[] b = new byte[32];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (seed * 31 + i);
    }
    return b;
  }

  static Jdbi jdbi(HikariDataSource ds, String keys, String primary) {
    return RelayDatabase.jdbi(ds, AuditKeys.localDevelopment(),
        new AtRest(new AtRestSettings(keys, null, primary, true).keyring()));
  }

  /** What the fixture writes: every sealed field with a value that is easy to search for. */
  static final String SECRET = "whsec_SECRET-MARKER-0001";
  static final String DOC = "DOCUMENT-MARKER-0002 the patient's results";
  static final String SUBJECT = "SUBJECT-MARKER-0003";
  static final String BODY = "BODY-MARKER-0004 Hello Alice";
  static final String HTML = "<p>HTML-MARKER-0005</p>";
  static final String VARIABLE = "VARIABLE-MARKER-0006";
  static final String EVIDENCE = "EVIDENCE-MARKER-0007 form #991";
  static final List<String> MARKERS = List.of(SECRET, "DOCUMENT-MARKER-0002", SUBJECT,
      "BODY-MARKER-0004", "HTML-MARKER-0005", VARIABLE, "EVIDENCE-MARKER-0007");

  static void write(Jdbi jdbi, String tenant, String recipient, String deliveryId) {
    new TenantRepository(jdbi).upsertTenant(new Tenant(tenant, tenant, null));
    new RecipientRepository(jdbi).upsert(tenant, recipient, "Alice", true,
        List.of(new ContactPoint("EMAIL", recipient + "@example.test", true, null)));
    new StatusWebhookRepository(jdbi).configure(tenant, "https://hooks.example.test", SECRET);
    new DocumentRepository(jdbi).store(tenant, "doc-1", "r.pdf", "application/pdf",
        DOC.getBytes(StandardCharsets.UTF_8));
    new DeliveryRepository(jdbi).accept(deliveryId, tenant, "key-" + deliveryId, "hash",
        "{\"variables\":{\"name\":\"" + VARIABLE + "\"}}", recipient, "billing", "invoice",
        "ACCEPTED");
    new RenderedPayloadRepository(jdbi).save(new RenderedPayload(deliveryId, "EMAIL", tenant,
        "invoice", 1, SUBJECT, HTML, BODY, "sha"));
    new ConsentRepository(jdbi).record(tenant, recipient, "billing", Map.of("EMAIL", true),
        "signup-form", EVIDENCE);
  }

  static void assertReadable(Jdbi jdbi, String tenant, String recipient, String deliveryId) {
    assertThat(new StatusWebhookRepository(jdbi).find(tenant).orElseThrow().secret())
        .isEqualTo(SECRET);
    assertThat(new String(new DocumentRepository(jdbi).content(tenant, "doc-1").orElseThrow(),
        StandardCharsets.UTF_8)).isEqualTo(DOC);
    assertThat(new DeliveryRepository(jdbi).find(tenant, deliveryId).orElseThrow().requestJson())
        .contains(VARIABLE);
    RenderedPayload p = new RenderedPayloadRepository(jdbi).find(deliveryId, "EMAIL").orElseThrow();
    assertThat(List.of(p.subject(), p.htmlBody(), p.textBody())).containsExactly(SUBJECT, HTML,
        BODY);
    List<ConsentRecord> consents = new ConsentRepository(jdbi).history(tenant, recipient,
        "billing");
    assertThat(consents).extracting(ConsentRecord::evidence).containsOnly(EVIDENCE);
  }

  /** Every row of every table as text (bytea as hex), for a byte-level search. */
  static String dump(Jdbi jdbi) {
    return jdbi.withHandle(h -> {
      List<String> tables = h.createQuery("""
              select table_name from information_schema.tables
              where table_schema = current_schema() and table_type = 'BASE TABLE'
              """).mapTo(String.class).list();
      StringBuilder all = new StringBuilder();
      for (String t : tables) {
        h.createQuery("select t::text from " + t + " t").mapTo(String.class)
            .forEach(row -> all.append(row).append('\n'));
      }
      return all.toString();
    });
  }

  static List<String> hits(String dump) {
    List<String> hits = new ArrayList<>();
    String lower = dump.toLowerCase();
    for (String m : MARKERS) {
      if (dump.contains(m)) {
        hits.add(m);
      }
      if (lower.contains(HexFormat.of().formatHex(m.getBytes(StandardCharsets.UTF_8)))) {
        hits.add("hex:" + m);
      }
    }
    return hits;
  }

  @Test
  void theDatabaseHoldsNoPlaintextOfASealedField() {
    HikariDataSource ds = TestDatabase.fresh();
    Jdbi jdbi = jdbi(ds, K1, null);
    write(jdbi, "acme", "alice", "dlv-1");
    assertReadable(jdbi, "acme", "alice", "dlv-1");
    assertThat(hits(dump(jdbi))).isEmpty();
    // The scan is not blind: an unsealed column with a marker is found.
    jdbi.useHandle(h -> h.execute("update tenants set name = ? where id = 'acme'", SUBJECT));
    assertThat(hits(dump(jdbi))).containsExactly(SUBJECT);
    // One live key for the tenant, one for the recipient, both wrapped by k1.
    assertThat(new DataKeyRepository(jdbi).liveKeysByKek()).isEqualTo(Map.of("k1", 2L));
  }

  @Test
  void destroyingARecipientsKeyErasesTheirDataAndOnlyTheirs() {
    HikariDataSource ds = TestDatabase.fresh();
    Jdbi jdbi = jdbi(ds, K1, null);
    write(jdbi, "acme", "alice", "dlv-1");
    new RecipientRepository(jdbi).upsert("acme", "bob", "Bob", true, List.of());
    new ConsentRepository(jdbi).record("acme", "bob", "billing", Map.of("EMAIL", true), "form",
        "bob's evidence");
    // Keys cached by a session opened before the erasure do not outlive it for a new read.
    DataKeyRepository keys = new DataKeyRepository(jdbi);
    var destroyed = keys.destroyRecipientKeys("acme", "alice", "admin:ops", "erasure request 7");
    assertThat(destroyed.keys()).isEqualTo(1);
    assertThat(keys.recipientErased("acme", "alice")).isTrue();

    assertThatThrownBy(() -> new RenderedPayloadRepository(jdbi).find("dlv-1", "EMAIL"))
        .isInstanceOf(DataErasedException.class)
        .hasMessageContaining("recipient 'alice'");
    assertThat(new DeliveryRepository(jdbi).find("acme", "dlv-1").orElseThrow().requestJson())
        .isNull();
    List<ConsentRecord> history = new ConsentRepository(jdbi).history("acme", "alice", "billing");
    assertThat(history).allSatisfy(c -> {
      assertThat(c.evidence()).isNull();
      assertThat(c.evidenceErased()).isTrue();
      assertThat(c.granted()).isTrue(); // the decision itself stays on record
    });
    // Bob and the tenant's own data are untouched.
    assertThat(new ConsentRepository(jdbi).history("acme", "bob", "billing"))
        .extracting(ConsentRecord::evidence).containsOnly("bob's evidence");
    assertThat(new DocumentRepository(jdbi).content("acme", "doc-1")).isPresent();
    assertThat(new StatusWebhookRepository(jdbi).find("acme").orElseThrow().secret())
        .isEqualTo(SECRET);
    // The erasure is on the audit trail.
    String detail = jdbi.withHandle(h -> h.createQuery(
            "select detail from audit_events where step = 'recipient-data-keys-destroyed'")
        .mapTo(String.class).one());
    assertThat(detail).isEqualTo("recipient alice: 1 data key(s) destroyed; reason: erasure request 7");
    // Idempotent; and data recorded afterwards gets a new key and reads.
    assertThat(keys.destroyRecipientKeys("acme", "alice", "admin:ops", null).keys()).isZero();
    new ConsentRepository(jdbi).record("acme", "alice", "billing", Map.of("EMAIL", false),
        "unsubscribe", "new evidence");
    assertThat(new ConsentRepository(jdbi).history("acme", "alice", "billing").get(0).evidence())
        .isEqualTo("new evidence");
    assertThat(keys.recipientErased("acme", "alice")).isFalse();
  }

  @Test
  void destroyingATenantsKeysErasesAllItsData() {
    HikariDataSource ds = TestDatabase.fresh();
    Jdbi jdbi = jdbi(ds, K1, null);
    write(jdbi, "acme", "alice", "dlv-1");
    write(jdbi, "globex", "alice", "dlv-2");
    assertThat(new DataKeyRepository(jdbi).destroyTenantKeys("acme", "operator", "offboarded")
        .keys()).isEqualTo(2);
    assertThat(new StatusWebhookRepository(jdbi).find("acme").orElseThrow().secret()).isNull();
    assertThatThrownBy(() -> new DocumentRepository(jdbi).content("acme", "doc-1"))
        .isInstanceOf(DataErasedException.class).hasMessageContaining("tenant 'acme'");
    assertThatThrownBy(() -> new RenderedPayloadRepository(jdbi).find("dlv-1", "EMAIL"))
        .isInstanceOf(DataErasedException.class);
    assertReadable(jdbi, "globex", "alice", "dlv-2");
  }

  @Test
  void oldRowsStayReadableAfterANewKekBecomesPrimary() {
    HikariDataSource ds = TestDatabase.fresh();
    write(jdbi(ds, K1, null), "acme", "alice", "dlv-1");

    // Rolling out k2 as primary, k1 still known: old rows read, new keys are wrapped by k2, and
    // a key that is used is re-wrapped with k2 on the way.
    Jdbi rotated = jdbi(ds, K1 + "," + K2, "k2");
    assertReadable(rotated, "acme", "alice", "dlv-1");
    write(rotated, "initech", "peter", "dlv-2");
    DataKeyRepository keys = new DataKeyRepository(rotated);
    assertThat(keys.liveKeysByKek()).containsEntry("k2", 4L).doesNotContainKey("k1");
    assertThat(keys.rewrapAll(100)).isZero();

    // A key still under k1 that nobody used since (a process not restarted yet made it) is
    // re-wrapped by the command.
    Jdbi k1Only = jdbi(ds, K1, null);
    String old = new DataKeyRepository(k1Only).rotate("acme", "dave");
    assertThat(new DataKeyRepository(rotated).liveKeysByKek()).containsEntry("k1", 1L);
    assertThat(keys.rewrapAll(100)).isEqualTo(1);
    assertThat(keys.liveKeysByKek()).isEqualTo(Map.of("k2", 5L));
    assertThat(old).startsWith("dk_");

    // Now k1 can be retired: everything reads with k2 alone.
    Jdbi k2Only = jdbi(ds, K2, null);
    assertReadable(k2Only, "acme", "alice", "dlv-1");
    assertReadable(k2Only, "initech", "peter", "dlv-2");
    // And without the right KEK nothing opens (the error names the missing KEK).
    assertThatThrownBy(() -> assertReadable(k1Only, "acme", "alice", "dlv-1"))
        .hasMessageContaining("KEK 'k2', which is not configured here");
  }

  @Test
  void aNewDataKeyTakesNewWritesAndOldValuesKeepTheirs() {
    HikariDataSource ds = TestDatabase.fresh();
    Jdbi jdbi = jdbi(ds, K1, null);
    write(jdbi, "acme", "alice", "dlv-1");
    byte[] before = sealedEvidence(jdbi, 1);
    String fresh = new DataKeyRepository(jdbi).rotate("acme", "alice");
    new ConsentRepository(jdbi).record("acme", "alice", "billing", Map.of("EMAIL", true), "form",
        "second");
    assertThat(AtRest.keyIdOf(sealedEvidence(jdbi, 2))).isEqualTo(fresh)
        .isNotEqualTo(AtRest.keyIdOf(before));
    assertThat(new ConsentRepository(jdbi).history("acme", "alice", "billing"))
        .extracting(ConsentRecord::evidence).containsExactly("second", EVIDENCE);
  }

  static byte[] sealedEvidence(Jdbi jdbi, int version) {
    return jdbi.withHandle(h -> h.createQuery(
            "select evidence_sealed from consents where version = :v limit 1")
        .bind("v", version).mapTo(byte[].class).one());
  }

  @Test
  void aSealedValueDoesNotOpenInAnotherRow() {
    HikariDataSource ds = TestDatabase.fresh();
    Jdbi jdbi = jdbi(ds, K1, null);
    write(jdbi, "acme", "alice", "dlv-1");
    new DocumentRepository(jdbi).store("acme", "doc-2", "other.pdf", "application/pdf",
        "other".getBytes(StandardCharsets.UTF_8));
    jdbi.useHandle(h -> h.execute("""
        update documents set content_sealed = (select content_sealed from documents
          where id = 'doc-1') where id = 'doc-2'"""));
    assertThatThrownBy(() -> new DocumentRepository(jdbi).content("acme", "doc-2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not authenticate");
  }

  @Test
  void rowsWrittenBeforeTheUpgradeStillReadAndTheBackfillSealsThem() {
    HikariDataSource ds = TestDatabase.migratedTo("5");
    Jdbi old = Jdbi.create(ds);
    old.useHandle(h -> {
      h.execute("insert into tenants (id, name, status_webhook_url, status_webhook_secret)"
          + " values ('acme', 'Acme', 'https://hooks.example.test', ?)", SECRET);
      h.execute("insert into recipients (tenant_id, id) values ('acme', 'alice')");
      h.execute("insert into documents (tenant_id, id, filename, content_type, size, sha256,"
          + " content) values ('acme', 'doc-1', 'r.pdf', 'application/pdf', 1, 'x', ?)",
          DOC.getBytes(StandardCharsets.UTF_8));
      h.execute("insert into deliveries (id, tenant_id, idempotency_key, request_hash, request,"
          + " recipient_id, purpose, template_id, status) values ('dlv-1', 'acme', 'k', 'h',"
          + " cast(? as jsonb), 'alice', 'billing', 'invoice', 'ACCEPTED')",
          "{\"variables\":{\"name\":\"" + VARIABLE + "\"}}");
      h.execute("insert into rendered_payloads (delivery_id, channel, tenant_id, template_id,"
          + " template_version, subject, html_body, text_body, sha256) values ('dlv-1', 'EMAIL',"
          + " 'acme', 'invoice', 1, ?, ?, ?, 'sha')", SUBJECT, HTML, BODY);
      h.execute("insert into consents (tenant_id, recipient_id, purpose, version, channel,"
          + " granted, source, evidence) values ('acme', 'alice', 'billing', 1, 'EMAIL', true,"
          + " 'form', ?)", EVIDENCE);
    });
    RelayDatabase.migrate(ds, TestDatabase.RUNTIME_ROLE);
    Jdbi jdbi = jdbi(ds, K1, null);
    assertReadable(jdbi, "acme", "alice", "dlv-1");

    AtRestBackfill.Result result = new AtRestBackfill(jdbi).sealAll(1);
    assertThat(result).isEqualTo(new AtRestBackfill.Result(1, 1, 1, 1));
    assertReadable(jdbi, "acme", "alice", "dlv-1");
    // Only the append-only consents keep their old plaintext evidence.
    assertThat(hits(dump(jdbi))).containsExactly("EVIDENCE-MARKER-0007");
    assertThat(new AtRestBackfill(jdbi).sealAll(10).total()).isZero();
  }

  @Test
  void theRuntimeRoleCanDestroyAKeyButNotDeleteItsTombstone() {
    HikariDataSource owner = TestDatabase.fresh();
    Jdbi jdbi = jdbi(TestDatabase.runtime(owner), K1, null);
    write(jdbi, "acme", "alice", "dlv-1");
    assertThat(new DataKeyRepository(jdbi).destroyRecipientKeys("acme", "alice", "admin", null)
        .keys()).isEqualTo(1);
    assertThatThrownBy(() -> jdbi.useHandle(h -> h.execute("delete from data_keys")))
        .hasMessageContaining("permission denied");
  }

  @Test
  void settingsRefuseToRunWithoutARealKekWhenRequired() {
    assertThatThrownBy(() -> new AtRestSettings(null, " ", null, true).keyring())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("relay.at-rest.required is true but no key-encryption key");
    assertThat(new AtRestSettings(null, null, null, false).keyring().primaryId())
        .isEqualTo(KekRing.LOCAL_DEV_ID);
    assertThatThrownBy(() -> new AtRestSettings("k1:AAAA", null, null, true).keyring())
        .hasMessageContaining("must be 32 bytes");
    assertThatThrownBy(() -> new AtRestSettings(K1, "/x", null, false).keyring())
        .hasMessageContaining("both");
    KekRing ring = new AtRestSettings(K1 + "," + K2, null, "k1", true).keyring();
    assertThat(ring.primaryId()).isEqualTo("k1");
    assertThat(ring.ids()).containsExactly("k1", "k2");
    // Without `required`, the development KEK is kept for reading what a bare run wrapped.
    assertThat(new AtRestSettings(K1, null, null, false).keyring().ids())
        .containsExactly(KekRing.LOCAL_DEV_ID, "k1");
  }
}
