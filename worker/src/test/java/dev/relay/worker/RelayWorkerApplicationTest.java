package dev.relay.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.uber.m3.tally.Scope;
import dev.relay.activities.config.ProviderPolicy;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.SearchAttributes;
import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.workflow.DeliveryPolicy;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryView;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.consent.ConsentRepository;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.template.TemplateRepository;
import dev.relay.store.tenant.Tenant;
import dev.relay.store.tenant.TenantRepository;
import dev.relay.store.testing.TestDatabase;
import dev.relay.store.webhook.OutboxRecord;
import dev.relay.store.webhook.OutboxState;
import dev.relay.store.webhook.StatusWebhookRepository;
import dev.relay.store.webhook.WebhookOutboxRepository;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.ActivityStub;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The worker app as deployed (Spring wiring, configuration binding, worker lifecycle, metrics)
 * against a real PostgreSQL and a real SMTP server; Temporal is the in-memory test service.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RelayWorkerApplicationTest {
  static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
  static final GreenMail SMTP_SECONDARY = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
  /** Made by the context: it reports to the worker's own Temporal metrics scope. */
  static TestWorkflowEnvironment temporal;

  static {
    SMTP.start();
    SMTP_SECONDARY.start();
  }

  @TestConfiguration
  static class TestPeers {
    @Bean
    @Primary
    DataSource testDataSource() {
      return TestDatabase.fresh();
    }

    /**
     * The in-memory Temporal service, with the worker's metrics scope where the real client's
     * service stubs carry it: what workflows count reaches the app's Prometheus endpoint.
     */
    @Bean
    @Primary
    WorkflowClient testWorkflowClient(Scope temporalMetricsScope,
        io.temporal.common.converter.DataConverter relayDataConverter) {
      // The app's own (sealing) data converter, as the real client has it.
      temporal = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
          .setMetricsScope(temporalMetricsScope)
          .setWorkflowClientOptions(io.temporal.client.WorkflowClientOptions.newBuilder()
              .setDataConverter(relayDataConverter).build())
          .build());
      SearchAttributes.ALL.forEach(key -> temporal.registerSearchAttribute(key.getName(),
          IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
      return temporal.getWorkflowClient();
    }
  }

  @DynamicPropertySource
  static void peers(DynamicPropertyRegistry registry) {
    registry.add("relay.smtp.host", () -> "127.0.0.1");
    registry.add("relay.smtp.port", () -> SMTP.getSmtp().getPort());
    registry.add("relay.smtp-secondary.host", () -> "127.0.0.1");
    registry.add("relay.smtp-secondary.port", () -> SMTP_SECONDARY.getSmtp().getPort());
    registry.add("relay.routing.defaults.wait-in-open", () -> "20s");
    registry.add("relay.routing.providers.smtp-secondary.rate-limit", () -> "7");
    registry.add("relay.temporal.metrics-report-interval", () -> "200ms");
    registry.add("relay.message-id-domain", () -> "worker-test.relay");
    registry.add("relay.webhooks.poll-interval", () -> "200ms");
    registry.add("relay.webhooks.max-attempts", () -> "5");
    // The tenant's endpoint below is plain http on loopback: the local-development setting.
    registry.add("relay.webhooks.allow-insecure-local", () -> "true");
    registry.add("relay.worker.sends.sms.rate-per-second", () -> "3");
    // Payload encryption on, as in every deployment; the key is made for this test run.
    registry.add("relay.codec.keys", () -> PAYLOAD_KEY);
    registry.add("relay.codec.required", () -> "true");
  }

  static final String PAYLOAD_KEY = "worker-test:" + java.util.Base64.getEncoder()
      .encodeToString(java.util.UUID.randomUUID().toString().substring(0, 32)
          .getBytes(StandardCharsets.US_ASCII));

  /** A tenant's webhook endpoint: records what it is sent. */
  static final List<Map<String, String>> WEBHOOK_POSTS = new CopyOnWriteArrayList<>();
  static final HttpServer WEBHOOK_RECEIVER = webhookReceiver();

  private static HttpServer webhookReceiver() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/hook", exchange -> {
        WEBHOOK_POSTS.add(Map.of(
            "id", exchange.getRequestHeaders().getFirst("webhook-id"),
            "timestamp", exchange.getRequestHeaders().getFirst("webhook-timestamp"),
            "signature", exchange.getRequestHeaders().getFirst("webhook-signature"),
            "body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      });
      server.start();
      return server;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stopPeers() {
    WEBHOOK_RECEIVER.stop(0);
    SMTP.stop();
    SMTP_SECONDARY.stop();
    if (temporal != null) {
      temporal.close();
    }
  }

  @Autowired Jdbi jdbi;
  @LocalServerPort int port;

  @Test
  void deliversAnEmailEndToEndAndAuditsIt() throws Exception {
    new TenantRepository(jdbi).upsertTenant(new Tenant("acme", "Acme", null));
    new RecipientRepository(jdbi).upsert("acme", "alice", "Alice", true,
        List.of(new ContactPoint("EMAIL", "alice@example.test", true, null)));
    new ConsentRepository(jdbi).record("acme", "alice", "billing", Map.of("EMAIL", true),
        "signup", "form");
    new TemplateRepository(jdbi).upsert("acme", "invoice", "Invoice {{number}}", null,
        "Hello {{name}}, invoice {{number}} is ready.", null);

    String deliveryId = DeliveryIds.deliveryId("acme", "worker-test-1");
    DeliveryWorkflow workflow = temporal.getWorkflowClient().newWorkflowStub(DeliveryWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(deliveryId).setTaskQueue(TaskQueues.DELIVERY).build());
    DeliveryView view = workflow.deliver(new DeliveryRequest("acme", deliveryId, "alice", "billing",
        "invoice", Map.of("name", "Alice", "number", "INV-7"), List.of(Channel.EMAIL), List.of(),
        null, Instant.now(), DeliveryPolicy.defaults()));

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    MimeMessage[] mails = Arrays.stream(SMTP.getReceivedMessages())
        .filter(m -> to(m).contains("alice@example.test")).toArray(MimeMessage[]::new);
    assertThat(mails).hasSize(1);
    assertThat(mails[0].getSubject()).isEqualTo("Invoice INV-7");
    assertThat(mails[0].getMessageID()).endsWith("@worker-test.relay>");
    AuditRepository audit = new AuditRepository(jdbi);
    assertThat(audit.forDelivery("acme", deliveryId)).last()
        .satisfies(e -> assertThat(e.status()).isEqualTo("DELIVERED"));
    assertThat(audit.verifyChain("acme").intact()).isTrue();
  }

  @Test
  void theAuditVerifierWorkflowRunsOnTheWorkerAndSealsTheChain() {
    new TenantRepository(jdbi).upsertTenant(new Tenant("sealed", "Sealed", null));
    AuditRepository audit = new AuditRepository(jdbi);
    for (long i = 1; i <= 3; i++) {
      audit.append(new dev.relay.store.audit.NewAuditEvent("sealed", "dlv-sealed", i,
          Instant.now(), "relay", "step", "ok", null, null, "EMAIL", 1, null, null, null));
    }
    // What the schedule starts every interval, started here so the test need not wait for it.
    dev.relay.contracts.activities.AuditSealReport report = temporal.getWorkflowClient()
        .newWorkflowStub(dev.relay.contracts.workflow.AuditSealWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId("audit-verifier-test")
                .setTaskQueue(TaskQueues.AUDIT).build())
        .run();
    assertThat(report.breaks()).isEmpty();
    assertThat(report.tenants()).isGreaterThanOrEqualTo(1);
    assertThat(audit.latestCheckpoint("sealed"))
        .hasValueSatisfying(c -> assertThat(c.chainSeq()).isEqualTo(3));
  }

  private static String to(MimeMessage mail) {
    try {
      return Arrays.toString(mail.getAllRecipients());
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void servesHealthAndPrometheusMetrics() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(
        URI.create("http://localhost:" + port + "/actuator/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("UP");
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
        URI.create("http://localhost:" + port + "/actuator/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("jvm_memory_used_bytes");
    // Every configured provider's breaker state, by name.
    assertThat(metrics.body())
        .contains("relay_provider_state{channel=\"EMAIL\",provider=\"smtp-primary\"} 0")
        .contains("relay_provider_state{channel=\"EMAIL\",provider=\"smtp-secondary\"} 0")
        .contains("relay_provider_state{channel=\"SMS\",provider=\"twilio\"} 0");
  }

  @Autowired WorkerProperties properties;
  @Autowired WebhookProperties webhookProperties;

  @Test
  void theDispatcherPostsTheDeliveredEventToTheTenantsWebhookSigned() throws Exception {
    String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    new TenantRepository(jdbi).upsertTenant(new Tenant("initech", "Initech", null));
    new StatusWebhookRepository(jdbi).configure("initech",
        "http://127.0.0.1:" + WEBHOOK_RECEIVER.getAddress().getPort() + "/hook", secret);
    new RecipientRepository(jdbi).upsert("initech", "peter", "Peter", true,
        List.of(new ContactPoint("EMAIL", "peter@example.test", true, null)));
    new ConsentRepository(jdbi).record("initech", "peter", "billing", Map.of("EMAIL", true),
        "signup", "form");
    new TemplateRepository(jdbi).upsert("initech", "tps", "TPS report", null, "Hello {{name}}",
        null);

    String deliveryId = DeliveryIds.deliveryId("initech", "worker-test-webhook");
    DeliveryWorkflow workflow = temporal.getWorkflowClient().newWorkflowStub(
        DeliveryWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(deliveryId)
            .setTaskQueue(TaskQueues.DELIVERY).build());
    DeliveryView view = workflow.deliver(new DeliveryRequest("initech", deliveryId, "peter",
        "billing", "tps", Map.of("name", "Peter"), List.of(Channel.EMAIL), List.of(), null,
        Instant.now(), DeliveryPolicy.defaults()));
    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);

    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (outbox(deliveryId).state() != OutboxState.DELIVERED && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertThat(outbox(deliveryId).state()).isEqualTo(OutboxState.DELIVERED);
    Map<String, String> post = WEBHOOK_POSTS.stream()
        .filter(p -> p.get("id").startsWith(deliveryId + ":")).findFirst().orElseThrow();
    assertThat(post.get("body")).contains("\"type\": \"delivery.delivered\"")
        .contains(deliveryId);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
    String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(
        (post.get("id") + "." + post.get("timestamp") + "." + post.get("body"))
            .getBytes(StandardCharsets.UTF_8)));
    assertThat(post.get("signature")).isEqualTo(expected);
  }

  private OutboxRecord outbox(String deliveryId) {
    List<OutboxRecord> rows = new WebhookOutboxRepository(jdbi).forDelivery(deliveryId);
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  @Test
  void theWebhookDispatcherIsConfiguredFromRelayWebhooks() {
    var settings = webhookProperties.settings();
    assertThat(settings.enabled()).isTrue();
    assertThat(settings.pollInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(settings.maxAttempts()).isEqualTo(5);
    assertThat(settings.batch()).isEqualTo(20);
    assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(settings.maxBackoff()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void routingIsConfiguredByProviderNameOverTheDefaults() {
    var settings = properties.activitiesSettings();

    assertThat(settings.secondarySmtp()).isNotNull();
    assertThat(settings.secondarySmtp().port()).isEqualTo(SMTP_SECONDARY.getSmtp().getPort());
    assertThat(settings.routing().policyFor("smtp-secondary").rateLimit()).isEqualTo(7);
    assertThat(settings.routing().policyFor("smtp-secondary").waitInOpen())
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(settings.routing().policyFor("smtp-primary").rateLimit())
        .isEqualTo(ProviderPolicy.defaults().rateLimit());
    assertThat(settings.routing().policyFor("twilio").failureRateThreshold())
        .isEqualTo(ProviderPolicy.defaults().failureRateThreshold());
  }

  @Test
  void aChannelSubstitutionReachesPrometheus() throws Exception {
    new TenantRepository(jdbi).upsertTenant(new Tenant("acme", "Acme", null));
    // No SMS contact point: the SMS channel fails identity and the delivery falls back to email.
    new RecipientRepository(jdbi).upsert("acme", "bob", "Bob", true,
        List.of(new ContactPoint("EMAIL", "bob@example.test", true, null)));
    new ConsentRepository(jdbi).record("acme", "bob", "billing",
        Map.of("EMAIL", true, "SMS", true), "signup", "form");
    new TemplateRepository(jdbi).upsert("acme", "reminder", "Reminder", null,
        "Hello {{name}}", "Hello {{name}}");

    String deliveryId = DeliveryIds.deliveryId("acme", "worker-test-fallback");
    DeliveryWorkflow workflow = temporal.getWorkflowClient().newWorkflowStub(
        DeliveryWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(deliveryId)
            .setTaskQueue(TaskQueues.DELIVERY).build());
    DeliveryView view = workflow.deliver(new DeliveryRequest("acme", deliveryId, "bob",
        "billing", "reminder", Map.of("name", "Bob"), List.of(Channel.SMS, Channel.EMAIL),
        List.of(), null, Instant.now(), DeliveryPolicy.defaults()));
    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(view.channel()).isEqualTo(Channel.EMAIL);

    HttpClient http = HttpClient.newHttpClient();
    HttpRequest scrape = HttpRequest.newBuilder(
        URI.create("http://localhost:" + port + "/actuator/prometheus")).build();
    String line = null;
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (line == null && System.nanoTime() < until) {
      line = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body().lines()
          .filter(l -> l.startsWith("relay_channel_substitutions_total{")
              && l.contains("from=\"SMS\"") && l.contains("to=\"EMAIL\""))
          .findFirst().orElse(null);
      if (line == null) {
        Thread.sleep(100);
      }
    }
    assertThat(line).as("relay_channel_substitutions_total from SMS to EMAIL").isNotNull();
    assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .isGreaterThanOrEqualTo(1.0);
  }

  @Autowired WorkerFactory workerFactory;

  @Test
  void pollsTheDeliveryQueueAndASendQueuePerChannelWithTheProvidersRate() {
    WorkerFactory probes = WorkerFactory.newInstance(temporal.getWorkflowClient());
    probes.newWorker("worker-test-probe")
        .registerWorkflowImplementationTypes(QueueProbeImpl.class);
    probes.start();
    try {
      // Old workflows send on the delivery queue: everything stays registered there.
      assertThat(probe(TaskQueues.DELIVERY))
          .contains("is not registered").contains("SendEmail").contains("RecordAudit");
      // The send queues are polled too, and carry sends only.
      for (String queue : List.of(TaskQueues.EMAIL_SENDS, TaskQueues.SMS_SENDS)) {
        assertThat(probe(queue)).as(queue)
            .contains("is not registered").contains("SendEmail").contains("SendSms")
            .doesNotContain("RecordAudit");
      }
    } finally {
      probes.shutdownNow();
    }
    assertThat(workerFactory.getWorker(TaskQueues.EMAIL_SENDS).getWorkerOptions()
        .getMaxTaskQueueActivitiesPerSecond()).isEqualTo(100.0);
    assertThat(workerFactory.getWorker(TaskQueues.SMS_SENDS).getWorkerOptions()
        .getMaxTaskQueueActivitiesPerSecond()).isEqualTo(3.0);
  }

  /** What a worker on {@code taskQueue} answers to an activity type nobody registered. */
  private static String probe(String taskQueue) {
    return temporal.getWorkflowClient().newWorkflowStub(QueueProbe.class,
        WorkflowOptions.newBuilder().setTaskQueue("worker-test-probe")
            .setWorkflowId("probe-" + taskQueue).build())
        .probe(taskQueue);
  }

  @WorkflowInterface
  public interface QueueProbe {
    @WorkflowMethod
    String probe(String taskQueue);
  }

  public static class QueueProbeImpl implements QueueProbe {
    @Override
    public String probe(String taskQueue) {
      ActivityStub stub = Workflow.newUntypedActivityStub(ActivityOptions.newBuilder()
          .setTaskQueue(taskQueue)
          .setScheduleToStartTimeout(Duration.ofSeconds(30))
          .setStartToCloseTimeout(Duration.ofSeconds(10))
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build());
      try {
        stub.execute("RelayQueueProbe", Void.class);
        return "completed";
      } catch (ActivityFailure e) {
        return String.valueOf(e.getCause());
      }
    }
  }
}
