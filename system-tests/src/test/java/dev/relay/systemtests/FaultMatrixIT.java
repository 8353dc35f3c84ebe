package dev.relay.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.contracts.DeliveryIds;
import dev.relay.systemtests.client.ApiResponse;
import dev.relay.systemtests.client.RelayApi;
import dev.relay.systemtests.stack.Poll;
import dev.relay.systemtests.stack.RelayStack;
import dev.relay.systemtests.stack.SmtpFaults;
import dev.relay.systemtests.stack.SmtpFaults.Fault;
import dev.relay.systemtests.stack.SmtpServer;
import dev.relay.systemtests.stack.StackExtension;
import dev.relay.systemtests.stack.StackPaths;
import dev.relay.systemtests.stack.TemporalDevServer;
import dev.relay.systemtests.stack.TwilioPeer.Mode;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault matrix: N deliveries through the real stack under each fault, one table of what was
 * delivered, lost and doubled, and how long it took to converge after the fault ended
 * ({@link FaultMatrixTable}; printed and written to {@code target/fault-matrix.md}).
 *
 * <p>One stack for all rows (its start is the expensive part): its own PostgreSQL that can be
 * stopped and started, a primary and a secondary SMTP relay behind fault proxies, the Twilio peer
 * with its fault modes, and a proxy between the apps and Temporal. Each row uses recipients of
 * its own, so its counts are its own, and ends by putting every fault back, whatever happened.
 *
 * <p>Outcomes are deterministic: every wait is bounded, a row passes on lost = 0 and duplicates =
 * 0 (plus: one workflow run and one accept per delivery, no SMS without consent) however the
 * timings fall; only the figures vary. Deliveries that exhaust their tries while a provider fault
 * lasts wait in NEEDS_ATTENTION, where the rows about provider faults expect them, and support
 * retries them, as the runbooks say.
 *
 * <p>System properties: {@code relay.faults.deliveries} (N per row, default {@value
 * #DEFAULT_DELIVERIES}), {@code relay.faults.rows} (e.g. {@code 1,5,7}; default all ten), {@code relay.faults.seed}.
 */
class FaultMatrixIT {
  private static final Logger log = LoggerFactory.getLogger(FaultMatrixIT.class);
  private static final long CLASS_LOADED = System.nanoTime();

  static final int DEFAULT_DELIVERIES = 16;
  static final int N = Integer.getInteger("relay.faults.deliveries", DEFAULT_DELIVERIES);
  static final long SEED = Long.getLong("relay.faults.seed", 4_2026L);
  static final Set<Integer> ROWS = rows(System.getProperty("relay.faults.rows", ""));

  /**
   * Row 10: every try of a round stays in doubt, then support RETRYs. The new round must settle
   * the doubtful send (same Message-ID) rather than send anew under its own key.
   */
  static final int IN_DOUBT_ROW = 10;
  static final int IN_DOUBT_DELIVERIES = 4;
  static final int WORKER_KILLS = 4;
  static final Duration WORKER_KILL_DELAY_MIN = Duration.ofMillis(100);
  static final Duration WORKER_KILL_DELAY_MAX = Duration.ofMillis(1_500);
  static final Duration TEMPORAL_DOWN = Duration.ofSeconds(6);
  static final Duration POSTGRES_DOWN = Duration.ofSeconds(8);
  static final Duration SMTP_FLAKY = Duration.ofSeconds(10);
  /** What SMTP connections get in turn while row 6's fault lasts (null: piped through). */
  static final List<Fault> SMTP_PATTERN = Arrays.asList(Fault.GREETING_421, Fault.MAIL_451, null,
      Fault.RCPT_452, Fault.SLOW_REPLIES, Fault.DATA_451, Fault.STALL_AFTER_DATA, null);
  static final Duration TWILIO_PHASE = Duration.ofMillis(2_500);
  static final Duration TEMPORAL_CUT = Duration.ofSeconds(6);
  /** How long a row waits for its deliveries to settle (per wait); past it they count as lost. */
  static final Duration SETTLE = Duration.ofSeconds(150);
  static final int SUPPORT_ROUNDS = 3;
  static final String PURPOSE = "statements";
  static final String TEMPLATE = "fm";

  /** Delivery policy (API): as in the other system tests, with room for slow relays. */
  static final Map<String, String> API_ENV = new LinkedHashMap<>();
  static final Duration WAIT_IN_OPEN = Duration.ofSeconds(5);
  /** Provider timeouts, circuit breakers and rate limits (worker), the same for every provider. */
  static final Map<String, String> WORKER_ENV = new LinkedHashMap<>();

  static {
    API_ENV.put("RELAY_DELIVERY_SEND_TIMEOUT", "12s");
    // At least the breakers' wait-in-open, as in production (30 s ≥ 15 s): a try refused by an
    // open breaker waits until it half-opens instead of burning the round's tries.
    API_ENV.put("RELAY_DELIVERY_MAX_BACKOFF", "5s");
    API_ENV.put("RELAY_STARTER_INTERVAL", "1s");
    WORKER_ENV.put("RELAY_SMTP_TIMEOUT", "3s");
    WORKER_ENV.put("RELAY_SMTPSECONDARY_TIMEOUT", "3s");
    WORKER_ENV.put("RELAY_TWILIO_TIMEOUT", "3s");
    WORKER_ENV.put("RELAY_ROUTING_DEFAULTS_FAILURE_RATE_THRESHOLD", "50");
    WORKER_ENV.put("RELAY_ROUTING_DEFAULTS_SLOW_CALL_RATE_THRESHOLD", "80");
    WORKER_ENV.put("RELAY_ROUTING_DEFAULTS_SLOW_CALL_THRESHOLD", "2s");
    WORKER_ENV.put("RELAY_ROUTING_DEFAULTS_SLIDING_WINDOW", "20s");
    WORKER_ENV.put("RELAY_ROUTING_DEFAULTS_MINIMUM_CALLS", "10");
    WORKER_ENV.put("RELAY_ROUTING_DEFAULTS_WAIT_IN_OPEN", WAIT_IN_OPEN.toSeconds() + "s");
    WORKER_ENV.put("RELAY_ROUTING_DEFAULTS_HALF_OPEN_CALLS", "2");
    WORKER_ENV.put("RELAY_ROUTING_DEFAULTS_RATE_LIMIT", "20");
    WORKER_ENV.put("RELAY_ROUTING_DEFAULTS_RATE_LIMIT_PERIOD", "1s");
    WORKER_ENV.put("RELAY_ROUTING_DEFAULTS_RATE_LIMIT_TIMEOUT", "2s");
  }

  @RegisterExtension
  static final StackExtension STACK = extension();

  private static StackExtension extension() {
    StackExtension ext = new StackExtension().options(new RelayStack.Options(true, true, true));
    API_ENV.forEach(ext::apiEnv);
    WORKER_ENV.forEach(ext::workerEnv);
    return ext;
  }

  private RelayStack stack;
  private RelayApi client;
  private RelayApi support;
  private final Random random = new Random(SEED);

  @Test
  void faultMatrix() throws Exception {
    Duration stackStart = Duration.ofNanos(System.nanoTime() - CLASS_LOADED);
    stack = STACK.stack();
    client = stack.client();
    support = stack.support();
    client.putTemplate(TEMPLATE, "Statement {{n}}", "Your statement {{n}} is ready.", null,
        "Statement {{n}} is ready.").expect(200, 201);

    FaultMatrixTable table = new FaultMatrixTable();
    row(table, 1, "worker kill -9, " + WORKER_KILLS + "× mid-flight (email + SMS)", this::workerKills);
    row(table, 2, "Temporal server stopped and restarted mid-flight", this::temporalRestart);
    row(table, 3, "PostgreSQL stopped and restarted mid-flight", this::postgresRestart);
    row(table, 4, "primary SMTP relay down (failover to secondary)", this::primaryRelayDown);
    row(table, 5, "all email down (SMS where consented, else NEEDS_ATTENTION → RETRY)", this::allEmailDown);
    row(table, 6, "SMTP transient 4xx and slow replies (both relays)", this::smtpTransient);
    row(table, 7, "Twilio 429, 5xx, resets, timeouts, lost replies, slow", this::twilioFaults);
    row(table, 8, "API kill -9 and restart, clients retry with the same keys", this::apiKill);
    row(table, 9, "Temporal frontend unreachable, API keeps accepting (outbox)", this::temporalCut);
    if (ROWS.isEmpty() || ROWS.contains(IN_DOUBT_ROW)) {
      row(table, IN_DOUBT_ROW, "every SMTP try in doubt until the round ends, then support RETRY",
          this::inDoubtRoundThenRetry);
    }

    Duration total = Duration.ofNanos(System.nanoTime() - CLASS_LOADED);
    String rendered = table.render(settings(), stackStart, total);
    System.out.println("\n" + rendered);
    Path out = StackPaths.logsRoot().resolveSibling("fault-matrix.md");
    Files.writeString(out, rendered, StandardCharsets.UTF_8);
    log.info("fault matrix written to {}", out);

    assertThat(table.rows().stream().filter(r -> !r.passed()).map(r -> r.number() + ". " + r.fault()
        + (r.error() != null ? ": " + r.error() : "") + " lost=" + r.lost() + " duplicates="
        + r.duplicates() + " problems=" + r.problems()).toList())
        .as("rows that failed (table in %s, logs in %s)", out, stack.logDir())
        .isEmpty();
  }

  // ================================================================== the rows

  /**
   * 10. (opt-in) Both relays take the message but withhold the answer past the worker's timeout,
   * on every try: the round ends in NEEDS_ATTENTION with its send in doubt (the recipient has the
   * mail, with the round's Message-ID). After the relays recover, support retries: the retry must
   * not reach the recipient under a second Message-ID.
   */
  private FaultMatrixTable.Row inDoubtRoundThenRetry(RowRun run) throws Exception {
    run.supportRetryExpected = true;
    List<Target> targets = targets(run, i -> Kind.EMAIL).subList(0, IN_DOUBT_DELIVERIES);
    stack.smtpFaults().fault(Fault.STALL_AFTER_DATA);
    stack.smtpSecondaryFaults().fault(Fault.STALL_AFTER_DATA);
    await(postAll(run, targets, 4));
    awaitSettled(run, SETTLE, Map.of());
    run.note("after every try stalled: " + run.deliveries.stream()
        .collect(Collectors.groupingBy(t -> t.status, TreeMap::new, Collectors.counting())));
    run.faultEnded();
    stack.smtpFaults().ok();
    stack.smtpSecondaryFaults().ok();
    converge(run);
    return evaluate(run);
  }

  /**
   * 1. The worker dies with SIGKILL {@value #WORKER_KILLS} times. Before each kill a burst of
   * requests arrives; the kill comes a random moment later, so it finds the burst (and what
   * earlier kills left unfinished) spread over verify, consent, prepare, send and receipt.
   */
  private FaultMatrixTable.Row workerKills(RowRun run) throws Exception {
    List<Target> targets = targets(run, mixed());
    for (int kill = 1; kill <= WORKER_KILLS; kill++) {
      if (kill > 1) {
        stack.worker().start().awaitReady();
      }
      int from = (kill - 1) * targets.size() / WORKER_KILLS;
      int to = kill * targets.size() / WORKER_KILLS;
      await(postAll(run, targets.subList(from, to), 8));
      sleep(Duration.ofMillis(WORKER_KILL_DELAY_MIN.toMillis()
          + random.nextInt((int) (WORKER_KILL_DELAY_MAX.toMillis() - WORKER_KILL_DELAY_MIN.toMillis()))));
      killWorker(run, kill);
    }
    run.faultEnded();
    stack.worker().start().awaitReady();
    converge(run);
    return evaluate(run);
  }

  private void killWorker(RowRun run, int kill) {
    stack.worker().kill9();
    // Nothing moves while the worker is dead: where the deliveries were when it died.
    Map<String, Integer> where = new TreeMap<>();
    for (Tracked t : run.deliveries) {
      JsonNode view = view(t.id);
      String status = view == null ? "?" : view.path("status").asText();
      if (!Deliveries.FINAL.contains(status)) {
        where.merge(status, 1, Integer::sum);
      }
    }
    run.note("kill -9 #" + kill + " with " + run.deliveries.size() + " accepted, unfinished by step: "
        + where);
  }

  /** 2. The Temporal server (and everything in it) stops while deliveries run, then comes back. */
  private FaultMatrixTable.Row temporalRestart(RowRun run) throws Exception {
    List<Target> targets = targets(run, mixed());
    int baseline = messagesOut();
    List<Future<?>> posts = postAll(run, targets, 8);
    Poll.until("the first message of row 2", Duration.ofSeconds(90), Duration.ofMillis(10),
        this::messagesOut, n -> n > baseline);
    stack.temporal().stop();
    await(posts);
    run.note("Temporal stopped with " + unfinished(run) + " of " + run.deliveries.size()
        + " deliveries unfinished; down " + TEMPORAL_DOWN.toSeconds() + " s");
    sleep(TEMPORAL_DOWN);
    run.faultEnded();
    stack.temporal().start();
    converge(run);
    return evaluate(run);
  }

  /** 3. PostgreSQL stops mid-flight; requests during the outage are retried by their clients. */
  private FaultMatrixTable.Row postgresRestart(RowRun run) throws Exception {
    List<Target> targets = targets(run, mixed());
    int firstWave = targets.size() * 2 / 3;
    int baseline = messagesOut();
    List<Future<?>> posts = new ArrayList<>(postAll(run, targets.subList(0, firstWave), 8));
    Poll.until("the first message of row 3", Duration.ofSeconds(90), Duration.ofMillis(10),
        this::messagesOut, n -> n > baseline);
    stack.postgres().stop();
    run.note("PostgreSQL stopped with " + run.deliveries.size() + " accepted; the other "
        + (targets.size() - firstWave) + " requests are sent during the outage (down "
        + POSTGRES_DOWN.toSeconds() + " s)");
    posts.addAll(postAll(run, targets.subList(firstWave, targets.size()), 4));
    sleep(POSTGRES_DOWN);
    run.faultEnded();
    stack.postgres().start();
    await(posts);
    run.note("client POST retries during the outage: " + run.postFailures());
    AtomicInteger http500 = run.postFailures.get("HTTP 500");
    if (http500 != null) {
      run.note("the API answered 500 where its runbook says 503 (" + http500.get() + "×; see "
          + "'unexpected error' in api.log); the clients retried");
    }
    converge(run);
    return evaluate(run);
  }

  /** 4. The primary relay refuses connections: mail goes through the secondary. */
  private FaultMatrixTable.Row primaryRelayDown(RowRun run) throws Exception {
    List<Target> targets = targets(run, i -> Kind.EMAIL);
    Instant start = Instant.now();
    stack.smtpFaults().down();
    await(postAll(run, targets, 8));
    awaitSettled(run, Duration.ofSeconds(90), Map.of());
    run.faultEnded();
    stack.smtpFaults().ok();
    converge(run);
    long viaSecondary = targets.stream()
        .filter(t -> !stack.smtpSecondary().messagesTo(t.email).isEmpty()).count();
    run.note(viaSecondary + " of " + targets.size() + " mails went through smtp-secondary");
    run.note("breaker transitions during the row: " + breakerTransitions(start));
    return evaluate(run);
  }

  /**
   * 5. Both relays down. Recipients who consented to SMS get an SMS; the others wait in
   * NEEDS_ATTENTION and are delivered by email after a support RETRY once email is back.
   */
  private FaultMatrixTable.Row allEmailDown(RowRun run) throws Exception {
    run.supportRetryExpected = true;
    List<Target> targets = targets(run, i -> i % 2 == 0 ? Kind.EMAIL_THEN_SMS : Kind.EMAIL_NO_SMS_CONSENT);
    Instant start = Instant.now();
    stack.smtpFaults().down();
    stack.smtpSecondaryFaults().down();
    await(postAll(run, targets, 8));
    awaitSettled(run, SETTLE, Map.of());
    Map<String, Integer> during = new TreeMap<>();
    for (Tracked t : run.deliveries) {
      during.merge(t.status + (t.view != null && "DELIVERED".equals(t.status)
          ? " via " + t.view.path("channel").asText() : "") + " (" + t.target.kind.label + ")",
          1, Integer::sum);
    }
    run.note("while all email was down: " + during);
    for (Tracked t : run.deliveries) {
      if (t.target.kind == Kind.EMAIL_THEN_SMS
          && !("DELIVERED".equals(t.status) && "SMS".equals(t.view.path("channel").asText()))) {
        run.problem(t.target.key + " has SMS consent but was not delivered by SMS while email was "
            + "down: " + t.status);
      }
    }
    run.faultEnded();
    stack.smtpFaults().ok();
    stack.smtpSecondaryFaults().ok();
    converge(run);
    run.note("breaker transitions during the row: " + breakerTransitions(start));
    return evaluate(run);
  }

  /** 6. Both relays answer transient 4xx at every stage, slowly, or stall after the data. */
  private FaultMatrixTable.Row smtpTransient(RowRun run) throws Exception {
    run.supportRetryExpected = true;
    List<Target> targets = targets(run, i -> Kind.EMAIL);
    Instant start = Instant.now();
    SmtpFaults primary = stack.smtpFaults();
    SmtpFaults secondary = stack.smtpSecondaryFaults();
    primary.resetCounts();
    secondary.resetCounts();
    primary.cycle(0, SMTP_PATTERN);
    secondary.cycle(SMTP_PATTERN.size() / 2, SMTP_PATTERN);
    // The requests arrive spread over the fault, so sends meet it at every point of the cycle.
    long faultStart = System.nanoTime();
    List<Future<?>> posts = new ArrayList<>();
    Duration spacing = SMTP_FLAKY.multipliedBy(3).dividedBy(4).dividedBy(targets.size());
    for (Target t : targets) {
      posts.addAll(postAll(run, List.of(t), 1));
      sleep(spacing);
    }
    await(posts);
    Duration left = SMTP_FLAKY.minus(Duration.ofNanos(System.nanoTime() - faultStart));
    if (!left.isNegative()) {
      sleep(left);
    }
    run.faultEnded();
    primary.ok();
    secondary.ok();
    run.note("SMTP connections during the fault (" + SMTP_FLAKY.toSeconds() + " s, in turn: "
        + SmtpFaults.describe(SMTP_PATTERN) + "): smtp-primary " + primary.injectedSummary()
        + "; smtp-secondary " + secondary.injectedSummary());
    converge(run);
    run.note("breaker transitions during the row: " + breakerTransitions(start));
    return evaluate(run);
  }

  /** 7. Twilio's faults one after another while SMS deliveries arrive, then healthy again. */
  private FaultMatrixTable.Row twilioFaults(RowRun run) throws Exception {
    run.supportRetryExpected = true;
    List<Target> targets = targets(run, i -> Kind.SMS);
    Instant start = Instant.now();
    record Phase(Mode mode, Duration delay) {}
    // Lost replies first, while the breaker still lets the next try through to look them up.
    List<Phase> phases = List.of(new Phase(Mode.LOST_REPLY, Duration.ofSeconds(4)),
        new Phase(Mode.TIMEOUT, Duration.ofSeconds(4)), new Phase(Mode.FAIL_429, null),
        new Phase(Mode.FAIL_500, null), new Phase(Mode.RESET, null),
        new Phase(Mode.SLOW, Duration.ofSeconds(1)));
    List<Future<?>> posts = new ArrayList<>();
    List<String> schedule = new ArrayList<>();
    for (int p = 0; p < phases.size(); p++) {
      Phase phase = phases.get(p);
      stack.twilio().mode(phase.mode(), phase.delay());
      int from = p * targets.size() / phases.size();
      int to = (p + 1) * targets.size() / phases.size();
      posts.addAll(postAll(run, targets.subList(from, to), 4));
      schedule.add(phase.mode().name().toLowerCase(Locale.ROOT)
          + (phase.delay() == null ? "" : " " + phase.delay().toSeconds() + "s") + " (" + (to - from) + " new)");
      sleep(TWILIO_PHASE);
    }
    run.faultEnded();
    stack.twilio().mode(Mode.OK);
    await(posts);
    run.note("peer modes, " + TWILIO_PHASE.toMillis() + " ms each: " + String.join(" → ", schedule) + " → ok");
    converge(run);
    run.note("breaker transitions during the row: " + breakerTransitions(start));
    return evaluate(run);
  }

  /** 8. The API dies with SIGKILL while clients post; they retry with the same keys. */
  private FaultMatrixTable.Row apiKill(RowRun run) throws Exception {
    List<Target> targets = targets(run, mixed());
    ExecutorService posters = Executors.newFixedThreadPool(4);
    List<Future<?>> posts = new ArrayList<>();
    try {
      for (Target t : targets) {
        posts.add(posters.submit(() -> {
          post(run, t);
          return null;
        }));
        sleep(Duration.ofMillis(120));
        if (posts.size() == targets.size() / 3) {
          stack.api().kill9();
          run.note("API killed with " + run.deliveries.size() + " of " + targets.size()
              + " accepted and requests in flight");
        }
      }
      sleep(Duration.ofSeconds(1));
      run.faultEnded();
      stack.api().start();
      await(posts);
      stack.api().awaitReady();
    } finally {
      posters.shutdownNow();
    }
    run.note("client POST retries: " + run.postFailures());
    // The same requests again: the same deliveries, nothing new.
    int replayed = 0;
    for (Tracked t : run.deliveries) {
      ApiResponse again = client.createDelivery(t.target.key, t.target.body);
      if (again.status() == 202 && t.id.equals(again.body().path("deliveryId").asText())
          && "true".equals(again.header("Idempotent-Replayed"))) {
        replayed++;
      } else {
        run.problem("replay of " + t.target.key + " answered " + again);
      }
    }
    run.note("every key posted once more after the restart: " + replayed + " of "
        + run.deliveries.size() + " answered with the same delivery (Idempotent-Replayed: true)");
    converge(run);
    return evaluate(run);
  }

  /** 9. Nothing reaches Temporal: the API accepts into its outbox, the starter starts later. */
  private FaultMatrixTable.Row temporalCut(RowRun run) throws Exception {
    List<Target> targets = targets(run, mixed());
    long cutAt = System.nanoTime();
    stack.temporalProxy().down();
    await(postAll(run, targets, 8));
    int accepted = 0;
    int firstTry = 0;
    for (Tracked t : run.deliveries) {
      accepted += "ACCEPTED".equals(t.acceptedStatus) ? 1 : 0;
      firstTry += t.postTries == 1 ? 1 : 0;
    }
    run.note("while Temporal was unreachable: " + firstTry + " of " + run.deliveries.size()
        + " POSTs answered 202 at the first try, " + accepted + " with status ACCEPTED; slowest "
        + FaultMatrixTable.seconds(run.slowestPost()));
    if (firstTry != run.deliveries.size()) {
      run.problem("POSTs during the Temporal outage that did not get 202 at once: "
          + (run.deliveries.size() - firstTry) + " (" + run.postFailures() + ")");
    }
    Duration left = TEMPORAL_CUT.minus(Duration.ofNanos(System.nanoTime() - cutAt));
    if (!left.isNegative()) {
      sleep(left);
    }
    run.faultEnded();
    stack.temporalProxy().up();
    converge(run);
    return evaluate(run);
  }

  // ================================================================== row plumbing

  @FunctionalInterface
  interface RowBody {
    FaultMatrixTable.Row run(RowRun run) throws Exception;
  }

  private void row(FaultMatrixTable table, int number, String fault, RowBody body) {
    if (!ROWS.isEmpty() && !ROWS.contains(number)) {
      return;
    }
    RowRun run = new RowRun(number, fault);
    log.info("==== fault matrix row {}: {}", number, fault);
    FaultMatrixTable.Row result;
    try {
      result = body.run(run);
    } catch (Throwable e) {
      log.error("row {} ({}) failed; {}", number, fault, stack.diagnostics(), e);
      result = FaultMatrixTable.Row.failed(number, fault, run.wall(), run.notes,
          e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      heal();
    }
    log.info("==== row {} done in {}: delivered {}/{}, lost {}, duplicates {}, possible duplicates {}, "
        + "p99 converge {}", number, FaultMatrixTable.seconds(result.wall()), result.delivered(),
        result.deliveries(), result.lost(), result.duplicates(), result.possibleDuplicates(),
        FaultMatrixTable.seconds(result.p99Converge()));
    table.add(result);
  }

  /** Every fault off and every process up, whatever the row left behind. */
  private void heal() {
    List<Runnable> steps = List.of(
        () -> stack.twilio().mode(Mode.OK),
        () -> stack.smtpFaults().ok(),
        () -> stack.smtpSecondaryFaults().ok(),
        () -> stack.temporalProxy().up(),
        () -> {
          if (!stack.postgres().isRunning()) {
            stack.postgres().start();
          }
        },
        () -> {
          if (!stack.temporal().isRunning()) {
            stack.temporal().start();
          }
        },
        () -> {
          if (!stack.worker().isAlive()) {
            stack.worker().start();
          }
          stack.worker().awaitReady();
        },
        () -> {
          if (!stack.api().isAlive()) {
            stack.api().start();
          }
          stack.api().awaitReady();
        });
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException | AssertionError e) {
        log.error("healing the stack after a row failed", e);
      }
    }
    // A breaker a row left open refuses calls until its wait is over: the next row starts after it
    // (a half-open one lets trial calls through and settles with the next row's first sends).
    String open = openBreakers();
    if (!open.isEmpty()) {
      log.info("breakers not closed after the row ({}): waiting {} so the next row starts with "
          + "providers that take calls", open, WAIT_IN_OPEN);
      sleep(WAIT_IN_OPEN);
    }
  }

  private String openBreakers() {
    try {
      JsonNode providers = support.send("GET", "/v1/providers?transitions=0", null, Map.of())
          .expect(200);
      List<String> open = new ArrayList<>();
      for (JsonNode p : providers.path("providers")) {
        if ("OPEN".equals(p.path("state").asText())) {
          open.add(p.path("name").asText() + " " + p.path("state").asText());
        }
      }
      return String.join(", ", open);
    } catch (RuntimeException | AssertionError e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** What a row's deliveries go to, and over which channels. */
  enum Kind {
    EMAIL("email"), SMS("sms"), EMAIL_THEN_SMS("email→sms, both consented"),
    EMAIL_NO_SMS_CONSENT("email→sms, no SMS consent");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** Three email deliveries to one SMS. */
  private static IntFunction<Kind> mixed() {
    return i -> i % 4 == 3 ? Kind.SMS : Kind.EMAIL;
  }

  record Target(int row, int index, Kind kind, String key, String recipientId, String email,
      String phone, Map<String, Object> body) {}

  /** Recipients of the row's own, with contact points and consent as their kind says. */
  private List<Target> targets(RowRun run, IntFunction<Kind> kinds) {
    List<Target> targets = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      Kind kind = kinds.apply(i);
      String recipient = "fm%d-%02d".formatted(run.number, i + 1);
      String email = kind == Kind.SMS ? null : recipient + "@faults.example.test";
      String phone = kind == Kind.EMAIL ? null : "+15559%d%05d".formatted(run.number, i + 1);
      Map<String, Boolean> consent = switch (kind) {
        case EMAIL -> Map.of("EMAIL", true);
        case SMS -> Map.of("SMS", true);
        case EMAIL_THEN_SMS -> Map.of("EMAIL", true, "SMS", true);
        case EMAIL_NO_SMS_CONSENT -> Map.of("EMAIL", true, "SMS", false);
      };
      Deliveries.recipient(client, recipient, email, phone, PURPOSE, consent);
      List<String> channels = switch (kind) {
        case EMAIL -> List.of("EMAIL");
        case SMS -> List.of("SMS");
        case EMAIL_THEN_SMS, EMAIL_NO_SMS_CONSENT -> List.of("EMAIL", "SMS");
      };
      String key = "fm-row%d-%02d".formatted(run.number, i + 1);
      Map<String, Object> body = Deliveries.request(recipient, PURPOSE, TEMPLATE,
          Map.of("n", key), channels, null);
      targets.add(new Target(run.number, i, kind, key, recipient, email, phone, body));
    }
    return targets;
  }

  /** A delivery the row accepted, and what the test last saw of it. */
  static final class Tracked {
    final Target target;
    final String id;
    final String acceptedStatus;
    final int postTries;
    volatile String status = "ACCEPTED";
    volatile JsonNode view;
    volatile boolean settled;

    Tracked(Target target, String id, String acceptedStatus, int postTries) {
      this.target = target;
      this.id = id;
      this.acceptedStatus = acceptedStatus;
      this.postTries = postTries;
    }
  }

  /** One row while it runs. */
  static final class RowRun {
    final int number;
    final String fault;
    final long startedNanos = System.nanoTime();
    final Instant startedAt = Instant.now();
    final List<Tracked> deliveries = new CopyOnWriteArrayList<>();
    final List<String> notes = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> postFailures = new ConcurrentHashMap<>();
    final List<Duration> postDurations = new CopyOnWriteArrayList<>();
    volatile Instant faultEndedAt;
    volatile boolean supportRetryExpected;
    volatile int supportRetries;

    RowRun(int number, String fault) {
      this.number = number;
      this.fault = fault;
    }

    void faultEnded() {
      faultEndedAt = Instant.now();
    }

    void note(String note) {
      notes.add(note);
      log.info("row {}: {}", number, note);
    }

    void problem(String problem) {
      problems.add(problem);
      log.warn("row {}: PROBLEM {}", number, problem);
    }

    String postFailures() {
      if (postFailures.isEmpty()) {
        return "none";
      }
      return new TreeMap<>(postFailures).entrySet().stream()
          .map(e -> e.getKey() + " ×" + e.getValue().get()).collect(Collectors.joining(", "));
    }

    Duration slowestPost() {
      return postDurations.stream().max(Duration::compareTo).orElse(Duration.ZERO);
    }

    Duration wall() {
      return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
  }

  // ================================================================== clients

  /**
   * POSTs like a real client: until the API answers 202, retrying connection errors and 5xx
   * with the same Idempotency-Key and body (backoff 200 ms doubling to 2 s, for at most 3 min).
   */
  private Tracked post(RowRun run, Target target) {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    long backoff = 200;
    int tries = 0;
    while (true) {
      tries++;
      long t0 = System.nanoTime();
      String failure;
      try {
        ApiResponse response = client.createDelivery(target.key, target.body);
        if (response.status() == 202) {
          run.postDurations.add(Duration.ofNanos(System.nanoTime() - t0));
          Tracked tracked = new Tracked(target, response.body().path("deliveryId").asText(),
              response.body().path("status").asText(), tries);
          run.deliveries.add(tracked);
          return tracked;
        }
        if (response.status() < 500 && response.status() != 429) {
          throw new AssertionError("POST " + target.key + " refused: " + response);
        }
        failure = "HTTP " + response.status();
      } catch (IllegalStateException e) {
        failure = rootCauseName(e);
      }
      run.postFailures.computeIfAbsent(failure, f -> new AtomicInteger()).incrementAndGet();
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("POST " + target.key + " was never accepted; last: " + failure);
      }
      sleep(Duration.ofMillis(backoff));
      backoff = Math.min(2_000, backoff * 2);
    }
  }

  private List<Future<?>> postAll(RowRun run, List<Target> targets, int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (Target t : targets) {
      futures.add(pool.submit(() -> post(run, t)));
    }
    pool.shutdown();
    return futures;
  }

  private static void await(List<Future<?>> futures) throws Exception {
    for (Future<?> f : futures) {
      f.get(4, TimeUnit.MINUTES);
    }
  }

  /** The delivery as the API shows it, or null while the API cannot answer. */
  private JsonNode view(String id) {
    try {
      ApiResponse r = client.delivery(id);
      return r.status() == 200 ? r.body() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String rootCauseName(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
  }

  // ================================================================== convergence

  /**
   * Waits (bounded) until every delivery of the row is DELIVERED or otherwise final, or waits in
   * NEEDS_ATTENTION; then, where the row expects NEEDS_ATTENTION, support retries those (up to
   * {@value #SUPPORT_ROUNDS} rounds) and waits again.
   */
  private void converge(RowRun run) {
    Map<Tracked, Integer> retries = new ConcurrentHashMap<>();
    awaitSettled(run, SETTLE, retries);
    if (!run.supportRetryExpected) {
      return;
    }
    for (int round = 1; round <= SUPPORT_ROUNDS; round++) {
      List<Tracked> stuck = run.deliveries.stream()
          .filter(t -> "NEEDS_ATTENTION".equals(t.status)).toList();
      if (stuck.isEmpty()) {
        return;
      }
      for (Tracked t : stuck) {
        ApiResponse r = support.act(t.id, "RETRY", "fault matrix row " + run.number + ": fault over",
            null, null);
        if (r.status() == 200) {
          retries.merge(t, 1, Integer::sum);
          run.supportRetries++;
          t.settled = false;
        } else {
          run.note("support RETRY of " + t.target.key + " answered " + r.status() + ": " + r.raw());
        }
      }
      run.note("support RETRY round " + round + ": " + stuck.size() + " deliveries in NEEDS_ATTENTION");
      awaitSettled(run, SETTLE, retries);
    }
  }

  private void awaitSettled(RowRun run, Duration timeout, Map<Tracked, Integer> retries) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean all = true;
      for (Tracked t : run.deliveries) {
        if (t.settled) {
          continue;
        }
        JsonNode view = view(t.id);
        if (view == null) {
          all = false;
          continue;
        }
        t.view = view;
        t.status = view.path("status").asText();
        boolean waiting = "NEEDS_ATTENTION".equals(t.status)
            && supportRetries(view) >= retries.getOrDefault(t, 0);
        t.settled = Deliveries.FINAL.contains(t.status) || waiting;
        all &= t.settled;
      }
      if (all || System.nanoTime() - deadline > 0) {
        return;
      }
      sleep(Duration.ofMillis(400));
    }
  }

  private static int supportRetries(JsonNode view) {
    int n = 0;
    for (JsonNode item : view.path("timeline")) {
      n += "support.retry".equals(item.path("step").asText()) ? 1 : 0;
    }
    return n;
  }

  // ================================================================== the figures

  private FaultMatrixTable.Row evaluate(RowRun run) {
    Map<String, List<MimeMessage>> mails = new LinkedHashMap<>();
    List<MimeMessage> all = new ArrayList<>(stack.smtp().all());
    all.addAll(stack.smtpSecondary().all());
    Map<String, List<JsonNode>> sms = stack.twilio().messages().stream()
        .collect(Collectors.groupingBy(m -> m.path("to").asText()));
    int delivered = 0;
    int lost = 0;
    int duplicates = 0;
    int possibleDuplicates = 0;
    int flagged = 0;
    int withCopies = 0;
    int failedTries = 0;
    int fromLedger = 0;
    int fallbacks = 0;
    List<Duration> converge = new ArrayList<>();
    for (Tracked t : run.deliveries) {
      JsonNode view = Poll.until("a view of " + t.id, Duration.ofSeconds(60), () -> view(t.id),
          v -> v != null);
      String status = view.path("status").asText();
      List<String> ids = t.target.email == null ? List.of()
          : mails.computeIfAbsent(t.target.email, a -> all.stream()
              .filter(m -> addressedTo(m, a)).toList())
              .stream().map(SmtpServer::messageId).toList();
      Set<String> distinctIds = new HashSet<>(ids);
      int texts = t.target.phone == null ? 0 : sms.getOrDefault(t.target.phone, List.of()).size();
      int distinct = distinctIds.size() + texts;
      duplicates += Math.max(0, distinct - 1);
      possibleDuplicates += ids.size() - distinctIds.size();
      if (ids.size() > distinctIds.size()) {
        withCopies++;
        flagged += ExactlyOnce.flaggedResend(stack.worker().process(), ids.get(0)) ? 1 : 0;
      }
      for (JsonNode item : view.path("timeline")) {
        String step = item.path("step").asText();
        failedTries += "send".equals(step) && "failed".equals(item.path("outcome").asText()) ? 1 : 0;
        fromLedger += "send".equals(step) && item.path("detail").asText().contains("from send ledger") ? 1 : 0;
        fallbacks += "fallback".equals(step) ? 1 : 0;
      }
      if (distinct > 1) {
        run.problem("duplicate: " + t.target.key + " reached its recipient " + distinct
            + " times (Message-IDs " + distinctIds + ", SMS " + texts + ")");
      }
      if (t.target.kind == Kind.EMAIL_NO_SMS_CONSENT && texts > 0) {
        run.problem("SMS without consent: " + t.target.key + " (" + texts + " SMS)");
      }
      if (!"DELIVERED".equals(status) || distinct == 0) {
        lost++;
        run.problem("lost: " + t.target.key + " (" + t.id + ") is " + status + " with " + distinct
            + " message(s) at the recipient; reason: " + view.path("reason").asText());
      } else {
        delivered++;
        Instant deliveredAt = deliveredAt(view);
        Duration after = Duration.between(run.faultEndedAt, deliveredAt);
        converge.add(after.isNegative() ? Duration.ZERO : after);
      }
      int accepts = 0;
      for (JsonNode item : view.path("timeline")) {
        accepts += "accept".equals(item.path("step").asText()) ? 1 : 0;
      }
      if (accepts != 1) {
        run.problem(t.target.key + " has " + accepts + " accept events");
      }
      long runs = stack.workflowClient()
          .countWorkflows("WorkflowId = '" + DeliveryIds.workflowId(t.id) + "'").getCount();
      if (runs != 1) {
        run.problem(t.target.key + " has " + runs + " workflow runs");
      }
    }
    int expected = run.number == IN_DOUBT_ROW ? IN_DOUBT_DELIVERIES : N;
    if (run.deliveries.size() != expected) {
      run.problem("only " + run.deliveries.size() + " of " + expected + " requests were accepted");
    }
    run.note("audit trails: " + failedTries + " failed send tries, " + fromLedger
        + " sends answered from the send ledger, " + fallbacks + " fallbacks to the next channel");
    if (possibleDuplicates > 0) {
      run.note(possibleDuplicates + " same-Message-ID copies after an ambiguous SMTP failure, at "
          + withCopies + " recipient(s); the worker logged the resend as a possible duplicate for "
          + flagged + " of them");
    }
    List<String> worker = workerLogSince(run.startedAt);
    long adopted = worker.stream().filter(l -> l.contains("adopting message")).count();
    long notFound = worker.stream().filter(l -> l.contains("earlier try not found at Twilio")).count();
    long resent = worker.stream().filter(l -> l.contains("resending via")).count();
    if (adopted + notFound + resent > 0) {
      run.note("worker log: " + adopted + " in-doubt SMS found at Twilio and adopted (not resent), "
          + notFound + " in-doubt SMS not found at Twilio and sent, " + resent
          + " in-doubt emails resent with their Message-ID");
    }
    return new FaultMatrixTable.Row(run.number, run.fault, run.deliveries.size(), delivered, lost,
        duplicates, possibleDuplicates, FaultMatrixTable.p99(converge), run.supportRetries,
        run.wall(), List.copyOf(run.notes), List.copyOf(run.problems), null);
  }

  /** Lines of the worker's log stamped at or after {@code since} (Spring Boot's ISO timestamps). */
  private List<String> workerLogSince(Instant since) {
    List<String> out = new ArrayList<>();
    for (String line : stack.worker().process().logLinesContaining("Z ")) {
      int end = line.indexOf('Z');
      if (end < 19 || end > 30) {
        continue;
      }
      try {
        if (!Instant.parse(line.substring(0, end + 1)).isBefore(since)) {
          out.add(line);
        }
      } catch (java.time.format.DateTimeParseException e) {
        // not a log line of its own (a stack trace, a marker)
      }
    }
    return out;
  }

  /** When the delivery's audit timeline says it became DELIVERED. */
  private static Instant deliveredAt(JsonNode view) {
    for (JsonNode item : view.path("timeline")) {
      if ("DELIVERED".equals(item.path("status").asText())) {
        return Instant.parse(item.path("at").asText());
      }
    }
    return Instant.parse(view.path("updatedAt").asText());
  }

  private static boolean addressedTo(MimeMessage message, String address) {
    try {
      var to = message.getAllRecipients();
      return to != null && Arrays.stream(to).anyMatch(a -> a.toString().equalsIgnoreCase(address)
          || (a instanceof jakarta.mail.internet.InternetAddress ia && address.equalsIgnoreCase(ia.getAddress())));
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ================================================================== helpers

  private int messagesOut() {
    return stack.smtp().all().size() + stack.smtpSecondary().all().size()
        + stack.twilio().messages().size();
  }

  private long unfinished(RowRun run) {
    return run.deliveries.stream().map(t -> view(t.id))
        .filter(v -> v == null || !Deliveries.FINAL.contains(v.path("status").asText())).count();
  }

  /** Breaker transitions recorded since {@code since}, per provider, oldest first. */
  private String breakerTransitions(Instant since) {
    try {
      JsonNode providers = support.send("GET", "/v1/providers?transitions=100", null, Map.of())
          .expect(200);
      List<String> out = new ArrayList<>();
      for (JsonNode p : providers.path("providers")) {
        List<String> moves = new ArrayList<>();
        for (JsonNode t : p.path("transitions")) {
          if (Instant.parse(t.path("at").asText()).isAfter(since)) {
            moves.add(0, t.path("to").asText());
          }
        }
        if (!moves.isEmpty()) {
          out.add(p.path("name").asText() + " " + String.join("→", moves));
        }
      }
      return out.isEmpty() ? "none" : String.join("; ", out);
    } catch (RuntimeException | AssertionError e) {
      return "(not available: " + e.getMessage() + ")";
    }
  }

  private Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("deliveries per row (N, -Drelay.faults.deliveries)", N + (ROWS.isEmpty() ? "" : ", rows " + ROWS));
    s.put("seed (-Drelay.faults.seed)", Long.toString(SEED));
    s.put("mixed rows", "3 email : 1 SMS; row 5: half with SMS consent, half without");
    Map<String, String> api = new LinkedHashMap<>(RelayStack.defaultApiEnvironment());
    api.putAll(API_ENV);
    s.put("delivery policy (API)", api.entrySet().stream().filter(e -> e.getKey().startsWith("RELAY_DELIVERY")
        || e.getKey().startsWith("RELAY_STARTER") || e.getKey().startsWith("RELAY_TEMPORAL"))
        .map(e -> e.getKey().replace("RELAY_", "").toLowerCase(Locale.ROOT) + "=" + e.getValue())
        .collect(Collectors.joining(", ")));
    s.put("providers, breakers, rate limits (worker, every provider)", WORKER_ENV.entrySet().stream()
        .map(e -> e.getKey().replace("RELAY_ROUTING_DEFAULTS_", "").replace("RELAY_", "")
            .toLowerCase(Locale.ROOT) + "=" + e.getValue())
        .collect(Collectors.joining(", ")));
    s.put("fault timings", "worker kills " + WORKER_KILLS + " (each " + WORKER_KILL_DELAY_MIN.toMillis()
        + "–" + WORKER_KILL_DELAY_MAX.toMillis() + " ms after a burst of N/" + WORKER_KILLS
        + " requests was accepted), "
        + "Temporal down " + TEMPORAL_DOWN.toSeconds() + " s, PostgreSQL down " + POSTGRES_DOWN.toSeconds()
        + " s, SMTP faults " + SMTP_FLAKY.toSeconds() + " s, connections in turn: "
        + SmtpFaults.describe(SMTP_PATTERN) + " (slow replies +" + RelayStack.SMTP_REPLY_DELAY.toMillis() + " ms each, "
        + "stall after data " + RelayStack.SMTP_STALL.toMillis() + " ms), Twilio phases "
        + TWILIO_PHASE.toMillis() + " ms, Temporal frontend cut " + TEMPORAL_CUT.toSeconds() + " s");
    s.put("Temporal dev server SQLite pragmas", String.join(", ", TemporalDevServer.SQLITE_PRAGMAS));
    s.put("host", Runtime.getRuntime().availableProcessors() + " CPUs, Java "
        + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
        + System.getProperty("os.arch"));
    return s;
  }

  private static Set<Integer> rows(String spec) {
    Set<Integer> rows = new HashSet<>();
    for (String part : spec.split(",")) {
      if (!part.isBlank()) {
        rows.add(Integer.parseInt(part.trim()));
      }
    }
    return rows;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
