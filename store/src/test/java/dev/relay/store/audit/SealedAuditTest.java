package dev.relay.store.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.relay.store.RelayDatabase;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.testing.TestDatabase;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** The keyed chain, checkpoints, key rotation and rows from before keyed hashing. */
class SealedAuditTest {
  static final String K1 = Base64.getEncoder().encodeToString("k1-secret-k1-secret-k1-secret-01".getBytes());
  static final String K2 = Base64.getEncoder().encodeToString("k2-secret-k2-secret-k2-secret-02".getBytes());
  static final Instant T = Instant.parse("2026-12-01T10:00:00.123456Z");

  static NewAuditEvent event(String tenant, String delivery, long seq) {
    return new NewAuditEvent(tenant, delivery, seq, T.plusSeconds(seq), "relay", "step-" + seq,
        "ok", "detail " + seq, null, "EMAIL", 1, null, null, null);
  }

  static Jdbi db(HikariDataSource ds, AuditKeys keys) {
    Jdbi jdbi = RelayDatabase.jdbi(ds, keys);
    new TenantRepository(jdbi).upsertTenant(new Tenant("acme", "Acme", null));
    return jdbi;
  }

  /** As a superuser who disables the triggers: what no privilege of Relay's roles allows. */
  static void asSuperuser(Jdbi jdbi, String sql) {
    jdbi.useHandle(h -> {
      h.execute("alter table audit_events disable trigger user");
      h.execute(sql);
      h.execute("alter table audit_events enable trigger user");
    });
  }

  @Test
  void rowsAreKeyedAndARehashWithoutTheKeyIsCaught() {
    Jdbi jdbi = db(TestDatabase.fresh(), AuditKeys.of(Map.of("k1", K1), "k1"));
    AuditRepository audit = new AuditRepository(jdbi);
    for (long i = 1; i <= 3; i++) {
      audit.append(event("acme", "dlv-1", i));
    }
    AuditRecord second = audit.forDelivery("acme", "dlv-1").get(1);
    assertThat(second.keyId()).isEqualTo("k1");
    assertThat(audit.verifyChain("acme").intact()).isTrue();

    // A forger with the database but not the key recomputes the row's hash the old (SHA-256) way.
    AuditRecord forged = new AuditRecord(second.chainSeq(), second.tenantId(), second.deliveryId(),
        second.sequence(), second.occurredAt(), second.recordedAt(), second.actor(), second.step(),
        second.outcome(), "forged", second.status(), second.channel(), second.attempts(),
        second.consentVersion(), second.provider(), second.providerMessageId(),
        second.prevHash(), null, null);
    String sha = AuditChain.expectedHash(AuditKeys.localDevelopment(), forged);
    asSuperuser(jdbi, "update audit_events set detail = 'forged', hash = '" + sha + "'"
        + " where delivery_id = 'dlv-1' and sequence = 2");

    ChainVerification v = audit.verifyChain("acme");
    assertThat(v.intact()).isFalse();
    assertThat(v.firstBrokenChainSeq()).isEqualTo(2L);
    // The delivery's own rows show it too, without walking the chain.
    assertThat(audit.checkRows(audit.forDelivery("acme", "dlv-1")))
        .hasValueSatisfying(b -> assertThat(b.chainSeq()).isEqualTo(2L));
  }

  @Test
  void aCheckpointRevealsThatTheNewestRowsWereRemoved() {
    Jdbi jdbi = db(TestDatabase.fresh(), AuditKeys.of(Map.of("k1", K1), "k1"));
    AuditRepository audit = new AuditRepository(jdbi);
    for (long i = 1; i <= 4; i++) {
      audit.append(event("acme", "dlv-2", i));
    }
    IncrementalVerification pass = audit.verifyFrom("acme", 1000);
    assertThat(pass.intact()).isTrue();
    assertThat(pass.rowsChecked()).isEqualTo(4);
    AuditCheckpoint cp = audit.checkpoint(pass.newHead(), Instant.now());
    assertThat(cp.chainSeq()).isEqualTo(4);

    // The next pass starts at the checkpoint: only the new row is read.
    audit.append(event("acme", "dlv-2", 5));
    IncrementalVerification next = audit.verifyFrom("acme", 1000);
    assertThat(next.rowsChecked()).isEqualTo(1);
    assertThat(next.from().chainSeq()).isEqualTo(4);

    asSuperuser(jdbi, "delete from audit_events where chain_seq >= 4");
    ChainVerification v = audit.verifyChain("acme");
    assertThat(v.intact()).isFalse();
    assertThat(v.reason()).contains("newest rows were removed");
    IncrementalVerification afterTruncation = audit.verifyFrom("acme", 1000);
    assertThat(afterTruncation.intact()).isFalse();
    assertThat(afterTruncation.firstBreak().chainSeq()).isEqualTo(4);
  }

  @Test
  void aForgedCheckpointIsCaught() {
    HikariDataSource ds = TestDatabase.fresh();
    Jdbi jdbi = db(ds, AuditKeys.of(Map.of("k1", K1), "k1"));
    AuditRepository audit = new AuditRepository(jdbi);
    audit.append(event("acme", "dlv-3", 1));
    audit.append(event("acme", "dlv-3", 2));
    AuditRecord row = audit.forDelivery("acme", "dlv-3").get(1);
    // Signed with a key the verifier does not trust.
    AuditKey wrong = new AuditKey("k1", Base64.getDecoder().decode(K2));
    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    jdbi.useHandle(h -> h.execute("insert into audit_checkpoints values (?, ?, ?, ?, ?, ?)",
        "acme", row.chainSeq(), row.hash(), Timestamp.from(at), "k1",
        AuditChain.sign(wrong, "acme", row.chainSeq(), row.hash(), at)));
    ChainVerification v = audit.verifyChain("acme");
    assertThat(v.intact()).isFalse();
    assertThat(v.reason()).contains("invalid signature");
  }

  @Test
  void rotatedKeysKeepOldRowsVerifiable() {
    HikariDataSource ds = TestDatabase.fresh();
    AuditRepository before = new AuditRepository(db(ds, AuditKeys.of(Map.of("k1", K1), "k1")));
    before.append(event("acme", "dlv-4", 1));
    // Rotation: k2 signs from now on, k1 stays configured for verification.
    AuditRepository after =
        new AuditRepository(db(ds, AuditKeys.of(Map.of("k1", K1, "k2", K2), "k2")));
    after.append(event("acme", "dlv-4", 2));
    assertThat(after.forDelivery("acme", "dlv-4")).extracting(AuditRecord::keyId)
        .containsExactly("k1", "k2");
    assertThat(after.verifyChain("acme").intact()).isTrue();
    // Dropping k1 too early: the verifier says which key is missing instead of "edited".
    AuditRepository withoutOld = new AuditRepository(db(ds, AuditKeys.of(Map.of("k2", K2), "k2")));
    ChainVerification v = withoutOld.verifyChain("acme");
    assertThat(v.intact()).isFalse();
    assertThat(v.reason()).contains("'k1'").contains("not configured");
  }

  @Test
  void rowsHashedBeforeKeyedHashingStillVerifyAndChainIntoKeyedOnes() {
    HikariDataSource ds = TestDatabase.migratedTo("4");
    Jdbi old = Jdbi.create(ds);
    old.useHandle(h -> h.execute("insert into tenants (id, name) values ('acme', 'Acme')"));
    // Two rows the way release 1 wrote them: plain SHA-256, no key ID.
    String prev = AuditChain.GENESIS;
    for (long i = 1; i <= 2; i++) {
      AuditRecord r = new AuditRecord(i, "acme", "dlv-old", i, T.plusSeconds(i), null, "relay",
          "step", "ok", null, null, "EMAIL", 1, null, null, null, prev, null, null);
      String hash = AuditChain.expectedHash(AuditKeys.localDevelopment(), r);
      String p = prev;
      long seq = i;
      old.useHandle(h -> h.execute("""
          insert into audit_events (tenant_id, chain_seq, delivery_id, sequence, occurred_at,
            actor, step, outcome, channel, attempts, prev_hash, hash)
          values ('acme', ?, 'dlv-old', ?, ?, 'relay', 'step', 'ok', 'EMAIL', 1, ?, ?)""",
          seq, seq, Timestamp.from(T.plusSeconds(seq)), p, hash));
      prev = hash;
    }
    RelayDatabase.migrate(ds, TestDatabase.RUNTIME_ROLE);
    Jdbi jdbi = RelayDatabase.jdbi(ds, AuditKeys.of(Map.of("k1", K1), "k1"));
    AuditRepository audit = new AuditRepository(jdbi);
    audit.append(event("acme", "dlv-new", 1));
    List<AuditRecord> rows = audit.range("acme", 1, 3);
    assertThat(rows).extracting(AuditRecord::keyId).containsExactly(null, null, "k1");
    assertThat(audit.verifyChain("acme").intact()).isTrue();
    assertThat(audit.verifyFrom("acme", 100).intact()).isTrue();

    // An unkeyed row after the upgrade was written without the key: a break.
    AuditRecord head = rows.get(2);
    AuditRecord unkeyed = new AuditRecord(4, "acme", "dlv-new", 2L, T, null, "relay", "forged",
        "ok", null, null, "EMAIL", 1, null, null, null, head.hash(), null, null);
    String sha = AuditChain.expectedHash(AuditKeys.localDevelopment(), unkeyed);
    jdbi.useHandle(h -> h.execute("""
        insert into audit_events (tenant_id, chain_seq, delivery_id, sequence, occurred_at,
          actor, step, outcome, channel, attempts, prev_hash, hash)
        values ('acme', 4, 'dlv-new', 2, ?, 'relay', 'forged', 'ok', 'EMAIL', 1, ?, ?)""",
        Timestamp.from(T), head.hash(), sha));
    ChainVerification v = audit.verifyChain("acme");
    assertThat(v.intact()).isFalse();
    assertThat(v.firstBrokenChainSeq()).isEqualTo(4L);
  }
}
