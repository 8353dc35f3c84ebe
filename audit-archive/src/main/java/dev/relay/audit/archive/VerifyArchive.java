package dev.relay.audit.archive;

import dev.relay.store.audit.AuditKeys;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The standalone audit verifier: recomputes every tenant's chain and checkpoints from the
 * off-site copy alone, with the audit key file, and never touches the database.
 *
 * <pre>
 * java -jar relay-audit-archive-*-exec.jar --key-file audit-keys.properties --dir ./download
 * java -jar relay-audit-archive-*-exec.jar --key-file audit-keys.properties \
 *     --endpoint http://127.0.0.1:8333 --bucket relay-audit [--prefix audit] [--tenant acme]
 * </pre>
 *
 * With {@code --restore-to JDBC_URL --db-user OWNER --db-password PW} a copy that verifies is
 * put back into that database (migrated first, as the owner), e.g. after the database was lost.
 *
 * <p>S3 credentials: {@code --access-key}/{@code --secret-key}, else the AWS SDK's default chain
 * ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, profiles, roles). Exit status: 0 every
 * tenant intact, 1 a break (each named with tenant, chain_seq and what is wrong), 2 the command
 * could not run (usage, unreadable key file or archive).
 */
public final class VerifyArchive {
  public static final int INTACT = 0;
  public static final int BROKEN = 1;
  public static final int UNUSABLE = 2;

  private VerifyArchive() {}

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "relay-audit-verifier-logback.xml");
    }
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; answers the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> opts;
    try {
      opts = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("relay-audit-verify: " + e.getMessage());
      err.println(usage());
      return UNUSABLE;
    }
    if (opts.containsKey("help")) {
      out.println(usage());
      return INTACT;
    }
    String keyFile = opts.getOrDefault("key-file", System.getenv("RELAY_AUDIT_KEY_FILE"));
    if (keyFile == null || keyFile.isBlank()) {
      err.println("relay-audit-verify: --key-file is required (the audit key file the worker"
          + " uses: current=<id> and key.<id>=<base64> lines)");
      return UNUSABLE;
    }
    ArchiveStore store;
    AuditKeys keys;
    try {
      keys = AuditKeys.fromFile(Path.of(keyFile));
      store = store(opts);
    } catch (RuntimeException e) {
      err.println("relay-audit-verify: " + e.getMessage());
      return UNUSABLE;
    }
    try {
      ArchiveVerifier verifier = new ArchiveVerifier(store, keys);
      List<String> tenants = opts.containsKey("tenant") ? List.of(opts.get("tenant"))
          : verifier.tenants();
      if (tenants.isEmpty()) {
        err.println("relay-audit-verify: " + store.describe() + " holds no audit export");
        return UNUSABLE;
      }
      out.println("Verifying " + store.describe() + " (" + tenants.size() + " tenants)");
      int broken = 0;
      for (String tenant : tenants) {
        ArchiveVerifier.TenantReport report = verifier.verify(tenant);
        if (report.rows() == 0 && report.intact() && opts.containsKey("tenant")) {
          err.println("relay-audit-verify: no export for tenant " + tenant);
          return UNUSABLE;
        }
        (report.intact() ? out : err).println(report.describe());
        if (!report.intact()) {
          broken++;
        }
      }
      if (broken > 0) {
        err.println("AUDIT EXPORT BROKEN: " + broken + " of " + tenants.size()
            + " tenants do not verify (see docs/runbooks/audit-break.md)");
        return BROKEN;
      }
      out.println("OK: every tenant's exported chain verifies");
      if (opts.containsKey("restore-to")) {
        return restore(opts, store, verifier, keys, tenants, out, err);
      }
      return INTACT;
    } catch (RuntimeException e) {
      err.println("relay-audit-verify: cannot read " + store.describe() + ": " + e.getMessage());
      return UNUSABLE;
    } finally {
      if (store instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // exiting anyway
        }
      }
    }
  }

  /**
   * Puts the verified copy back into an empty database (after the database was lost), migrated
   * first; connects as the owner role ({@code --db-user}).
   */
  private static int restore(Map<String, String> opts, ArchiveStore store,
      ArchiveVerifier verifier, AuditKeys keys, List<String> tenants, PrintStream out,
      PrintStream err) {
    org.postgresql.ds.PGSimpleDataSource db = new org.postgresql.ds.PGSimpleDataSource();
    db.setUrl(opts.get("restore-to"));
    db.setUser(opts.getOrDefault("db-user", "relay"));
    db.setPassword(opts.getOrDefault("db-password", ""));
    try {
      dev.relay.store.RelayDatabase.migrate(db);
      dev.relay.store.audit.AuditRepository into = new dev.relay.store.audit.AuditRepository(
          dev.relay.store.RelayDatabase.jdbi(db, keys));
      ArchiveRestore restore = new ArchiveRestore(store, verifier);
      for (String tenant : tenants) {
        out.println("restored tenant " + tenant + ": " + restore.restore(tenant, into)
            + " rows");
      }
      return INTACT;
    } catch (RuntimeException e) {
      err.println("relay-audit-verify: restore failed: " + e.getMessage());
      return UNUSABLE;
    }
  }

  private static ArchiveStore store(Map<String, String> opts) {
    if (opts.containsKey("dir")) {
      Path dir = Path.of(opts.get("dir"));
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("--dir " + dir + " is not a directory");
      }
      return new DirectoryArchiveStore(dir);
    }
    if (!opts.containsKey("bucket")) {
      throw new IllegalArgumentException("give --dir DIR (a downloaded export) or --bucket NAME"
          + " (with --endpoint URL for an S3-compatible server)");
    }
    return new S3ArchiveStore(new S3Settings(opts.get("endpoint"), opts.get("region"),
        opts.get("bucket"), opts.get("prefix"),
        Boolean.parseBoolean(opts.getOrDefault("path-style", "true")),
        opts.get("access-key"), opts.get("secret-key"), null, 0));
  }

  private static Map<String, String> parse(String[] args) {
    List<String> known = List.of("dir", "bucket", "endpoint", "region", "prefix", "path-style",
        "access-key", "secret-key", "key-file", "tenant", "restore-to", "db-user", "db-password");
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        opts.put("help", "");
        continue;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
      opts.put(name, value);
    }
    return opts;
  }

  static String usage() {
    return """
        usage: relay-audit-verify --key-file FILE (--dir DIR | --bucket NAME [--endpoint URL]
                                  [--prefix P] [--region R] [--path-style true|false]
                                  [--access-key AK --secret-key SK]) [--tenant ID]
                                  [--restore-to JDBC_URL --db-user OWNER --db-password PW]
          exit 0: intact, 1: tampered/truncated/reordered/deleted rows found, 2: cannot run
          --restore-to: after it verifies, put the copy back into that (empty) database""";
  }
}
