package dev.relay.systemtests.stack;

import com.zaxxer.hikari.HikariDataSource;
import dev.relay.store.testing.TestDatabase;
import dev.relay.codec.Keyring;
import dev.relay.codec.SealedDataConverter;
import dev.relay.systemtests.client.RelayApi;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relay's whole stack for one test class, on free loopback ports: a fresh PostgreSQL database
 * (embedded server), GreenMail SMTP, the Twilio peer, the Temporal dev server, and the worker (or
 * several, see {@link Options#workers()}) and API as {@code java -jar} processes configured
 * against all of it. Logs go to
 * {@code system-tests/target/stack-logs/<name>/}. {@link #close()} stops everything it started.
 */
public final class RelayStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RelayStack.class);

  public static final String TENANT = "systest";
  public static final String CLIENT_KEY = "systest-client-key-0000000001";
  public static final String SUPPORT_KEY = "systest-support-key-000000001";
  public static final String SUPPORT_KEY_NAME = "systest-support";
  public static final String ADMIN_KEY = "systest-admin-key-00000000001";

  /**
   * Delivery timing for tests: the same shape as production (6 tries, exponential backoff with
   * jitter), shorter waits so a provider that never recovers reaches NEEDS_ATTENTION in seconds,
   * and a short send timeout so a send lost with a killed worker is retried soon.
   */
  public static Map<String, String> defaultApiEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("RELAY_DELIVERY_MAX_SEND_TRIES", "6");
    env.put("RELAY_DELIVERY_INITIAL_BACKOFF", "500ms");
    env.put("RELAY_DELIVERY_BACKOFF_COEFFICIENT", "2.0");
    env.put("RELAY_DELIVERY_MAX_BACKOFF", "2s");
    env.put("RELAY_DELIVERY_SEND_TIMEOUT", "5s");
    env.put("RELAY_DELIVERY_RECEIPT_TIMEOUT", "5m");
    env.put("RELAY_TEMPORAL_ACTION_TIMEOUT", "30s");
    env.put("RELAY_STARTER_INTERVAL", "1s");
    return env;
  }

  /**
   * What a test class needs beyond the default stack.
   *
   * @param ownPostgres a PostgreSQL server of the stack's own that {@link #postgres()} can stop
   *     and start again (instead of a fresh database on the JVM's shared embedded server)
   * @param secondarySmtp a second SMTP server configured as the worker's {@code smtp-secondary}
   * @param faultProxies the worker reaches each SMTP server through an {@link SmtpFaults} proxy,
   *     and both apps reach Temporal through a {@link TcpProxy} (the test's own Temporal client
   *     and CLI go direct), so a test can fail a relay or cut Temporal off without stopping it
   * @param workers worker processes, identical but for their port and log file, all polling the
   *     same task queues ({@link #worker()} is the first)
   */
  public record Options(boolean ownPostgres, boolean secondarySmtp, boolean faultProxies,
      int workers) {
    public static final Options DEFAULT = new Options(false, false, false);

    public Options {
      if (workers < 1) {
        throw new IllegalArgumentException("a stack needs at least one worker");
      }
    }

    public Options(boolean ownPostgres, boolean secondarySmtp, boolean faultProxies) {
      this(ownPostgres, secondarySmtp, faultProxies, 1);
    }

    public Options withWorkers(int count) {
      return new Options(ownPostgres, secondarySmtp, faultProxies, count);
    }
  }

  /** SLOW_REPLIES holds each SMTP reply back this long (see {@link SmtpFaults}). */
  public static final Duration SMTP_REPLY_DELAY = Duration.ofMillis(400);
  /** STALL_AFTER_DATA holds the answer to the data back this long: past the worker's SMTP timeout. */
  public static final Duration SMTP_STALL = Duration.ofMillis(4_500);

  private final String name;
  private final Path logDir;
  private final Path dataDir;
  private final Options options;
  private final List<AutoCloseable> started = new ArrayList<>();
  /** This stack's payload keyring (relay.codec.keys of both apps and of the test's client). */
  private final String payloadKeys = newPayloadKeys();
  /** This stack's key-encryption key (relay.at-rest.keys of both apps), random per stack. */
  private final String atRestKeys = newKey("systest-kek-1");

  private HikariDataSource database;
  private RestartablePostgres postgres;
  private SmtpServer smtp;
  private SmtpServer smtpSecondary;
  private SmtpFaults smtpFaults;
  private SmtpFaults smtpSecondaryFaults;
  private TcpProxy temporalProxy;
  private TwilioPeer twilio;
  private TemporalDevServer temporal;
  private final List<RelayProcess> workers = new ArrayList<>();
  private RelayProcess api;
  private WorkflowServiceStubs stubs;
  private WorkflowClient workflowClient;

  private RelayStack(String name, Options options) {
    this.name = name;
    this.options = options;
    this.logDir = StackPaths.logsRoot().resolve(name);
    this.dataDir = StackPaths.logsRoot().resolveSibling("stack-data").resolve(name);
  }

  /** Starts the whole stack; on any failure stops what already runs and rethrows. */
  public static RelayStack start(String name) {
    return start(name, Map.of(), Map.of());
  }

  public static RelayStack start(String name, Map<String, String> apiOverrides,
      Map<String, String> workerOverrides) {
    return start(name, apiOverrides, workerOverrides, Options.DEFAULT);
  }

  public static RelayStack start(String name, Map<String, String> apiOverrides,
      Map<String, String> workerOverrides, Options options) {
    RelayStack stack = new RelayStack(name, options);
    try {
      stack.startAll(apiOverrides, workerOverrides);
      return stack;
    } catch (RuntimeException | Error e) {
      stack.close();
      throw e;
    }
  }

  private void startAll(Map<String, String> apiOverrides, Map<String, String> workerOverrides) {
    long t0 = System.nanoTime();
    clean(logDir);
    clean(dataDir);

    String jdbcUrl;
    if (options.ownPostgres()) {
      postgres = new RestartablePostgres(dataDir.resolve("postgres"), logDir);
      started.add(postgres);
      postgres.start();
      database = postgres.dataSource();
      jdbcUrl = postgres.jdbcUrl();
    } else {
      database = TestDatabase.fresh();
      started.add(database);
      jdbcUrl = database.getJdbcUrl();
    }
    smtp = new SmtpServer().start();
    started.add(smtp);
    if (options.secondarySmtp()) {
      smtpSecondary = new SmtpServer().start();
      started.add(smtpSecondary);
    }
    twilio = new TwilioPeer(dataDir, logDir).start();
    started.add(twilio);
    temporal = new TemporalDevServer(dataDir, logDir).start();
    started.add(temporal);
    int smtpPort = smtp.port();
    Integer secondaryPort = smtpSecondary == null ? null : smtpSecondary.port();
    String temporalTarget = temporal.target();
    if (options.faultProxies()) {
      smtpFaults = new SmtpFaults("smtp-primary", smtp.port(), SMTP_REPLY_DELAY, SMTP_STALL).start();
      started.add(smtpFaults);
      smtpPort = smtpFaults.port();
      if (smtpSecondary != null) {
        smtpSecondaryFaults = new SmtpFaults("smtp-secondary", smtpSecondary.port(),
            SMTP_REPLY_DELAY, SMTP_STALL).start();
        started.add(smtpSecondaryFaults);
        secondaryPort = smtpSecondaryFaults.port();
      }
      String[] hostPort = temporal.target().split(":");
      temporalProxy = new TcpProxy("temporal", hostPort[0], Integer.parseInt(hostPort[1])).start();
      started.add(temporalProxy);
      temporalTarget = temporalProxy.address();
    }

    int apiPort = Ports.free();
    String apiBase = "http://127.0.0.1:" + apiPort;

    Map<String, String> common = new LinkedHashMap<>();
    common.put("SPRING_DATASOURCE_URL", jdbcUrl);
    if (options.ownPostgres()) {
      common.put("SPRING_DATASOURCE_USERNAME", database.getUsername());
      common.put("SPRING_DATASOURCE_PASSWORD", database.getPassword());
      common.put("RELAY_DATABASE_OWNER_USERNAME", "");
    } else {
      // As in production: the apps run as the runtime role, migrations as the owner.
      common.put("SPRING_DATASOURCE_USERNAME", TestDatabase.RUNTIME_ROLE);
      common.put("SPRING_DATASOURCE_PASSWORD", TestDatabase.RUNTIME_ROLE);
      common.put("RELAY_DATABASE_OWNER_USERNAME", database.getUsername());
      common.put("RELAY_DATABASE_OWNER_PASSWORD", database.getPassword());
    }
    common.put("RELAY_TEMPORAL_TARGET", temporalTarget);
    common.put("RELAY_TEMPORAL_NAMESPACE", "default");
    // Payload encryption on, as ./relay up runs it: Temporal only ever sees sealed payloads.
    common.put("RELAY_CODEC_KEYS", payloadKeys);
    common.put("RELAY_CODEC_REQUIRED", "true");
    // Encryption at rest on with a real KEK, as ./relay up and deployments run it.
    common.put("RELAY_ATREST_KEYS", atRestKeys);
    common.put("RELAY_ATREST_REQUIRED", "true");

    Map<String, String> workerEnv = new LinkedHashMap<>(common);
    workerEnv.put("RELAY_SMTP_HOST", "127.0.0.1");
    workerEnv.put("RELAY_SMTP_PORT", Integer.toString(smtpPort));
    workerEnv.put("RELAY_SMTP_TIMEOUT", "5s");
    if (secondaryPort != null) {
      workerEnv.put("RELAY_SMTPSECONDARY_HOST", "127.0.0.1");
      workerEnv.put("RELAY_SMTPSECONDARY_PORT", Integer.toString(secondaryPort));
      workerEnv.put("RELAY_SMTPSECONDARY_TIMEOUT", "5s");
    }
    workerEnv.put("RELAY_TWILIO_ACCOUNT_SID", TwilioPeer.ACCOUNT_SID);
    workerEnv.put("RELAY_TWILIO_AUTH_TOKEN", TwilioPeer.AUTH_TOKEN);
    workerEnv.put("RELAY_TWILIO_API_BASE_URL", twilio.baseUrl());
    workerEnv.put("RELAY_TWILIO_STATUS_CALLBACK_BASE_URL", apiBase);
    workerEnv.put("RELAY_TWILIO_TIMEOUT", "5s");
    workerEnv.put("RELAY_TEMPORAL_SHUTDOWN_GRACE", "3s");
    workerEnv.putAll(workerOverrides);

    Map<String, String> apiEnv = new LinkedHashMap<>(common);
    apiEnv.put("RELAY_TWILIO_AUTH_TOKEN", TwilioPeer.AUTH_TOKEN);
    apiEnv.put("RELAY_TWILIO_WEBHOOK_BASE_URL", apiBase);
    apiEnv.put("RELAY_CODECSERVER_ALLOWEDORIGINS", temporal.webUi());
    // Actuator (the readiness probe) is on the API's management port, not the public one.
    apiEnv.put("MANAGEMENT_SERVER_PORT", Integer.toString(Ports.free()));
    // relay.bootstrap is a list of tenants, each with a list of keys.
    apiEnv.put("RELAY_BOOTSTRAP_0_ID", TENANT);
    apiEnv.put("RELAY_BOOTSTRAP_0_NAME", "System tests");
    putKey(apiEnv, 0, CLIENT_KEY, "CLIENT", "systest-client");
    putKey(apiEnv, 1, SUPPORT_KEY, "SUPPORT", SUPPORT_KEY_NAME);
    putKey(apiEnv, 2, ADMIN_KEY, "ADMIN", "systest-admin");
    apiEnv.putAll(defaultApiEnvironment());
    apiEnv.putAll(apiOverrides);

    for (int i = 1; i <= options.workers(); i++) {
      // "worker", then "worker-2", ...: the log file is named after the process.
      RelayProcess worker = new RelayProcess(i == 1 ? "worker" : "worker-" + i,
          StackPaths.workerJar(), Ports.free(), "/actuator/health", workerEnv, dataDir, logDir);
      workers.add(worker);
      started.add(worker);
    }
    api = new RelayProcess("api", StackPaths.apiJar(), apiPort, "/actuator/health/readiness",
        apiEnv, dataDir, logDir);
    started.add(api);
    // All JVMs boot at once; each migrates the schema (idempotent, Flyway takes a lock).
    workers.forEach(RelayProcess::start);
    api.start();
    workers.forEach(RelayProcess::awaitReady);
    api.awaitReady();

    stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(temporal.target())
        .build());
    workflowClient = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
        .setNamespace("default")
        .setDataConverter(SealedDataConverter.create(Keyring.parse(payloadKeys, null, "RelayStack")))
        .build());
    log.info("stack {} up in {} ms: api {}, worker {}, temporal {} (UI {}), smtp {}{}, twilio {}, "
        + "postgres {}, logs {}", name, (System.nanoTime() - t0) / 1_000_000, api.baseUrl(),
        workers.stream().map(RelayProcess::baseUrl).toList(), temporalTarget, temporal.webUi(), smtpPort,
        secondaryPort == null ? "" : " (secondary " + secondaryPort + ")", twilio.baseUrl(), jdbcUrl,
        logDir);
  }

  private static void putKey(Map<String, String> env, int index, String key, String role, String name) {
    String prefix = "RELAY_BOOTSTRAP_0_KEYS_" + index + "_";
    env.put(prefix + "KEY", key);
    env.put(prefix + "ROLE", role);
    env.put(prefix + "NAME", name);
  }

  // ------------------------------------------------------------------ accessors

  public String name() {
    return name;
  }

  public Path logDir() {
    return logDir;
  }

  /** Temporal's remote codec endpoint on the API ({@code --codec-endpoint} of the CLI). */
  public String codecEndpoint() {
    return api.baseUrl() + "/codec";
  }

  /** The keyring both apps seal payloads with ({@code <key-id>:<base64>}). */
  public String payloadKeys() {
    return payloadKeys;
  }

  /** The API as a client (role client). */
  public RelayApi client() {
    return new RelayApi(api.baseUrl(), CLIENT_KEY);
  }

  /** The API as support staff (role support). */
  public RelayApi support() {
    return new RelayApi(api.baseUrl(), SUPPORT_KEY);
  }

  public RelayApi admin() {
    return new RelayApi(api.baseUrl(), ADMIN_KEY);
  }

  public SmtpServer smtp() {
    return smtp;
  }

  /** The secondary relay's server, or null (see {@link Options#secondarySmtp()}). */
  public SmtpServer smtpSecondary() {
    return smtpSecondary;
  }

  /** The primary relay as the worker reaches it, or null without {@link Options#faultProxies()}. */
  public SmtpFaults smtpFaults() {
    return smtpFaults;
  }

  /** The secondary relay as the worker reaches it, or null. */
  public SmtpFaults smtpSecondaryFaults() {
    return smtpSecondaryFaults;
  }

  /** The apps' way to Temporal, or null without {@link Options#faultProxies()}. */
  public TcpProxy temporalProxy() {
    return temporalProxy;
  }

  /** The stack's own PostgreSQL, or null without {@link Options#ownPostgres()}. */
  public RestartablePostgres postgres() {
    return postgres;
  }

  public Options options() {
    return options;
  }

  public TwilioPeer twilio() {
    return twilio;
  }

  public TemporalDevServer temporal() {
    return temporal;
  }

  /** The (first) worker process. */
  public RelayProcess worker() {
    return workers.get(0);
  }

  /** Every worker process, in start order (see {@link Options#workers()}). */
  public List<RelayProcess> workers() {
    return List.copyOf(workers);
  }

  public RelayProcess api() {
    return api;
  }

  /** A Temporal client in the test JVM, for visibility and describe calls. */
  public WorkflowClient workflowClient() {
    return workflowClient;
  }

  public HikariDataSource database() {
    return database;
  }

  /** Where to look when something failed: the tails of the app logs. */
  public String diagnostics() {
    StringBuilder b = new StringBuilder("logs in ").append(logDir);
    List<RelayProcess> apps = new ArrayList<>(workers);
    apps.add(api);
    for (RelayProcess p : apps) {
      if (p != null) {
        b.append("\n---- last lines of ").append(p.process().logFile()).append('\n')
            .append(p.process().logTail(40));
      }
    }
    return b.toString();
  }

  @Override
  public void close() {
    if (stubs != null) {
      stubs.shutdownNow();
      stubs.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    }
    // Reverse order: the apps first, the things they talk to last.
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("stopping {} failed: {}", started.get(i), e.toString());
      }
    }
    started.clear();
  }

  private static String newPayloadKeys() {
    return newKey("systest-1");
  }

  private static String newKey(String id) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return id + ":" + Base64.getEncoder().encodeToString(key);
  }

  private static void clean(Path dir) {
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> walk = Files.walk(dir)) {
          for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir, e);
    }
  }

}
