package dev.relay.audit.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.store.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone verifier against an export written to a directory (what `aws s3 sync` of the
 * bucket gives): the good export passes, and every kind of tampering is caught, with a message
 * that names the tenant and the row, and exit status 1.
 */
class ArchiveVerifierTest {
  @TempDir
  static Path tmp;
  static Path good;
  static Path keyFile;
  static List<String> segments;

  @BeforeAll
  static void export() throws Exception {
    good = tmp.resolve("good");
    ArchiveFixture f = new ArchiveFixture(TestDatabase.fresh(), new DirectoryArchiveStore(good));
    // Three scheduled runs, so the export has three segments and checkpoints.
    f.append("acme", "dlv-1", 1, 6);
    f.append("globex", "dlv-9", 1, 3);
    assertThat(f.seal("acme").segments()).isEqualTo(1);
    f.seal("globex");
    f.append("acme", "dlv-2", 1, 5);
    f.seal("acme");
    f.append("acme", "dlv-3", 1, 7);
    f.seal("acme");
    assertThat(f.seal("acme").segments()).as("nothing new: nothing exported").isZero();
    segments = new DirectoryArchiveStore(good).list("acme/segments/");
    assertThat(segments).hasSize(3);
    keyFile = tmp.resolve("audit-keys.properties");
    Files.writeString(keyFile, "current=" + ArchiveFixture.KEY_ID + "\nkey."
        + ArchiveFixture.KEY_ID + "=" + ArchiveFixture.SECRET + "\n");
  }

  record Run(int status, String out, String err) {}

  static Run verify(Path dir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = VerifyArchive.run(new String[] {"--key-file", keyFile.toString(), "--dir",
        dir.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  static Path tampered(String name, String key, UnaryOperator<List<String>> change) {
    Path dir = tmp.resolve(name.replaceAll("\\W+", "-"));
    ArchiveFixture.copy(new DirectoryArchiveStore(good), new DirectoryArchiveStore(dir), key,
        change);
    return dir;
  }

  @Test
  void aGoodExportVerifies() {
    Run run = verify(good);
    assertThat(run.status()).as(run.err()).isEqualTo(VerifyArchive.INTACT);
    assertThat(run.out()).contains("tenant acme: intact, 18 rows in 3 segments, 3 signed"
        + " checkpoints, last row 18").contains("tenant globex: intact, 3 rows")
        .contains("OK");
  }

  @Test
  void anEditedRowIsCaught() {
    Run run = verify(tampered("edited", segments.get(0),
        ArchiveFixture.tamperings().get("edited row")));
    assertThat(run.status()).isEqualTo(VerifyArchive.BROKEN);
    assertThat(run.err()).contains("tenant acme: BROKEN at chain_seq 3")
        .contains("does not match its HMAC");
  }

  @Test
  void removingTheNewestRowsIsCaught() {
    Run run = verify(tampered("truncated", segments.get(2),
        ArchiveFixture.tamperings().get("truncated (newest rows removed)")));
    assertThat(run.status()).isEqualTo(VerifyArchive.BROKEN);
    assertThat(run.err()).contains("tenant acme: BROKEN at chain_seq 17")
        .contains("newest rows were removed");
  }

  @Test
  void aRowDeletedInTheMiddleIsCaught() {
    Run run = verify(tampered("middle", segments.get(1),
        ArchiveFixture.tamperings().get("row deleted in the middle")));
    assertThat(run.status()).isEqualTo(VerifyArchive.BROKEN);
    assertThat(run.err()).contains("tenant acme: BROKEN at chain_seq 9")
        .contains("row 9 was deleted or moved");
  }

  @Test
  void reorderedRowsAreCaught() {
    Run run = verify(tampered("reordered", segments.get(0),
        ArchiveFixture.tamperings().get("rows reordered")));
    assertThat(run.status()).isEqualTo(VerifyArchive.BROKEN);
    assertThat(run.err()).contains("tenant acme: BROKEN at chain_seq 2")
        .contains("deleted or moved");
  }

  @Test
  void aDeletedSegmentIsCaught() {
    Run run = verify(tampered("segment-gone", segments.get(1), lines -> null));
    assertThat(run.status()).isEqualTo(VerifyArchive.BROKEN);
    assertThat(run.err()).contains("rows 7-11 are missing from the archive");
  }

  @Test
  void theWrongKeyIsNotMistakenForAGoodExport() throws Exception {
    Path otherKey = tmp.resolve("other-key.properties");
    Files.writeString(otherKey, "key." + ArchiveFixture.KEY_ID
        + "=b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMDE=\n");
    int status = VerifyArchive.run(new String[] {"--key-file", otherKey.toString(), "--dir",
        good.toString()}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream()));
    assertThat(status).isEqualTo(VerifyArchive.BROKEN);
  }

  @Test
  void aVerifiedCopyIsRestoredIntoANewDatabase() {
    com.zaxxer.hikari.HikariDataSource fresh = TestDatabase.fresh();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = VerifyArchive.run(new String[] {"--key-file", keyFile.toString(), "--dir",
        good.toString(), "--restore-to", fresh.getJdbcUrl(), "--db-user", "postgres",
        "--db-password", "postgres"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream()));
    assertThat(status).as(out.toString()).isEqualTo(VerifyArchive.INTACT);
    assertThat(out.toString()).contains("restored tenant acme: 18 rows");
    var audit = new dev.relay.store.audit.AuditRepository(
        dev.relay.store.RelayDatabase.jdbi(fresh, ArchiveFixture.KEYS));
    assertThat(audit.verifyChain("acme").intact()).isTrue();
    assertThat(audit.verifyChain("acme").rowsChecked()).isEqualTo(18);
    assertThat(audit.latestCheckpoint("acme")).hasValueSatisfying(
        c -> assertThat(c.chainSeq()).isEqualTo(18));
  }

  @Test
  void aTamperedCopyIsNotRestored() {
    Path dir = tampered("not-restored", segments.get(0),
        ArchiveFixture.tamperings().get("edited row"));
    com.zaxxer.hikari.HikariDataSource fresh = TestDatabase.fresh();
    int status = VerifyArchive.run(new String[] {"--key-file", keyFile.toString(), "--dir",
        dir.toString(), "--restore-to", fresh.getJdbcUrl(), "--db-user", "postgres",
        "--db-password", "postgres"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream()));
    assertThat(status).isEqualTo(VerifyArchive.BROKEN);
    assertThat(new dev.relay.store.audit.AuditRepository(dev.relay.store.RelayDatabase.jdbi(fresh))
        .range("acme", 1, 100)).isEmpty();
  }

  @Test
  void usageErrorsSayWhatIsMissing() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = VerifyArchive.run(new String[] {"--dir", good.toString()},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
    assertThat(status).isEqualTo(VerifyArchive.UNUSABLE);
    assertThat(err.toString()).contains("--key-file is required");
  }
}
