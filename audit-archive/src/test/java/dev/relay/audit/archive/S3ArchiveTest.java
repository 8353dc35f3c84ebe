package dev.relay.audit.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.relay.store.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The off-site export against a real S3 server (SeaweedFS): exported append-only, verified from
 * the bucket alone by the standalone command, every tampering case caught, and still verifiable
 * after the database is gone.
 */
class S3ArchiveTest {
  static final String BUCKET = "relay-audit";
  @TempDir
  static Path tmp;
  static SeaweedServer s3;
  static HikariDataSource db;
  static ArchiveFixture fixture;
  static S3ArchiveStore good;
  static Path keyFile;
  static final List<S3ArchiveStore> stores = new ArrayList<>();

  @BeforeAll
  static void exportToS3() throws Exception {
    s3 = SeaweedServer.start();
    good = store("good");
    good.ensureBucket(false);
    good.ensureBucket(false); // idempotent
    db = TestDatabase.fresh();
    fixture = new ArchiveFixture(db, good);
    fixture.append("acme", "dlv-1", 1, 6);
    fixture.seal("acme");
    fixture.append("acme", "dlv-2", 1, 5);
    fixture.append("globex", "dlv-7", 1, 4);
    fixture.seal("acme");
    fixture.seal("globex");
    keyFile = tmp.resolve("audit-keys.properties");
    Files.writeString(keyFile, "key." + ArchiveFixture.KEY_ID + "=" + ArchiveFixture.SECRET + "\n");
  }

  @AfterAll
  static void stop() {
    stores.forEach(S3ArchiveStore::close);
    if (s3 != null) {
      s3.close();
    }
  }

  static S3ArchiveStore store(String prefix) {
    S3ArchiveStore store = new S3ArchiveStore(s3.settings(BUCKET, prefix));
    stores.add(store);
    return store;
  }

  record Run(int status, String out, String err) {}

  static Run verify(String prefix) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = VerifyArchive.run(new String[] {"--key-file", keyFile.toString(),
        "--endpoint", s3.endpoint(), "--bucket", BUCKET, "--prefix", prefix,
        "--access-key", SeaweedServer.ACCESS_KEY, "--secret-key", SeaweedServer.SECRET_KEY},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theExportInTheBucketVerifies() {
    assertThat(good.list("acme/")).containsExactly(
        "acme/checkpoints/00000000000000000006.json",
        "acme/checkpoints/00000000000000000011.json",
        "acme/segments/00000000000000000001-00000000000000000006.jsonl",
        "acme/segments/00000000000000000007-00000000000000000011.jsonl");
    Run run = verify("good");
    assertThat(run.status()).as(run.err()).isEqualTo(VerifyArchive.INTACT);
    assertThat(run.out()).contains("tenant acme: intact, 11 rows in 2 segments")
        .contains("tenant globex: intact, 4 rows");
  }

  static Stream<Arguments> tamperings() {
    List<String> segments = good.list("acme/segments/");
    List<Arguments> cases = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, UnaryOperator<List<String>>> c
        : ArchiveFixture.tamperings().entrySet()) {
      // Truncation removes the newest rows: the last segment. The rest hit older history.
      String key = c.getKey().startsWith("truncated") ? segments.get(segments.size() - 1)
          : segments.get(0);
      cases.add(Arguments.of(c.getKey(), "case-" + i++, key, c.getValue()));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperings")
  void everyTamperingOfTheOffSiteCopyIsCaught(String name, String prefix, String key,
      UnaryOperator<List<String>> change) {
    ArchiveFixture.copy(good, store(prefix), key, change);
    Run run = verify(prefix);
    assertThat(run.status()).as(name + ": " + run.out() + run.err())
        .isEqualTo(VerifyArchive.BROKEN);
    assertThat(run.err()).contains("tenant acme: BROKEN at chain_seq")
        .contains("AUDIT EXPORT BROKEN: 1 of 2 tenants");
  }

  @Test
  void theArchiveIsNeverRewritten() {
    String key = good.list("acme/segments/").get(0);
    byte[] original = good.get(key).orElseThrow();
    good.putIfAbsent(key, original); // a retried export: fine
    assertThatThrownBy(() -> good.putIfAbsent(key, "forged\n".getBytes()))
        .isInstanceOf(ArchiveStore.ArchiveConflictException.class)
        .hasMessageContaining("append-only");
    assertThat(good.get(key)).hasValue(original);
  }

  @Test
  void theExportSurvivesTheDatabaseBeingDropped() {
    HikariDataSource other = TestDatabase.fresh();
    S3ArchiveStore store = store("dropped");
    ArchiveFixture f = new ArchiveFixture(other, store);
    f.append("initech", "dlv-5", 1, 9);
    f.seal("initech");
    TestDatabase.drop(other);

    Run run = verify("dropped");
    assertThat(run.status()).as(run.err()).isEqualTo(VerifyArchive.INTACT);
    assertThat(run.out()).contains("tenant initech: intact, 9 rows in 1 segments")
        .contains("last row 9");

    // Restored into a new database from the copy alone: the chain verifies there, and appending
    // and exporting go on from where the copy ended.
    ArchiveFixture restored = new ArchiveFixture(TestDatabase.fresh(), store);
    long rows = new ArchiveRestore(store, new ArchiveVerifier(store, ArchiveFixture.KEYS))
        .restore("initech", restored.audit);
    assertThat(rows).isEqualTo(9);
    assertThat(restored.audit.verifyChain("initech").intact()).isTrue();
    restored.append("initech", "dlv-6", 1, 2);
    assertThat(restored.seal("initech").segments()).isEqualTo(1);
    Run after = verify("dropped");
    assertThat(after.status()).as(after.err()).isEqualTo(VerifyArchive.INTACT);
    assertThat(after.out()).contains("tenant initech: intact, 11 rows in 2 segments");
  }
}
