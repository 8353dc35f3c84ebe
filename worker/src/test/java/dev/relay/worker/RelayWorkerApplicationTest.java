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
import io.temporal.api.enums.v1.IndexedValueType;
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
    WorkflowClient testWorkflowClient(Scope temporalMetricsScope) {
      temporal = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
          .setMetricsScope(temporalMetricsScope).build());
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
  }

  @AfterAll
  static void stopPeers() {
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
}
