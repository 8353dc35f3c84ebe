package dev.relay.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
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
import io.temporal.testing.TestWorkflowEnvironment;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
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
  static final TestWorkflowEnvironment TEMPORAL = TestWorkflowEnvironment.newInstance();
  static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());

  static {
    SearchAttributes.ALL.forEach(key ->
        TEMPORAL.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    SMTP.start();
  }

  @TestConfiguration
  static class TestPeers {
    @Bean
    @Primary
    DataSource testDataSource() {
      return TestDatabase.fresh();
    }

    @Bean
    @Primary
    WorkflowClient testWorkflowClient() {
      return TEMPORAL.getWorkflowClient();
    }
  }

  @DynamicPropertySource
  static void peers(DynamicPropertyRegistry registry) {
    registry.add("relay.smtp.host", () -> "127.0.0.1");
    registry.add("relay.smtp.port", () -> SMTP.getSmtp().getPort());
    registry.add("relay.message-id-domain", () -> "worker-test.relay");
  }

  @AfterAll
  static void stopPeers() {
    SMTP.stop();
    TEMPORAL.close();
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
    DeliveryWorkflow workflow = TEMPORAL.getWorkflowClient().newWorkflowStub(DeliveryWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(deliveryId).setTaskQueue(TaskQueues.DELIVERY).build());
    DeliveryView view = workflow.deliver(new DeliveryRequest("acme", deliveryId, "alice", "billing",
        "invoice", Map.of("name", "Alice", "number", "INV-7"), List.of(Channel.EMAIL), List.of(),
        null, Instant.now(), DeliveryPolicy.defaults()));

    assertThat(view.status()).isEqualTo(DeliveryStatus.DELIVERED);
    MimeMessage[] mails = SMTP.getReceivedMessages();
    assertThat(mails).hasSize(1);
    assertThat(mails[0].getSubject()).isEqualTo("Invoice INV-7");
    assertThat(mails[0].getMessageID()).endsWith("@worker-test.relay>");
    AuditRepository audit = new AuditRepository(jdbi);
    assertThat(audit.forDelivery("acme", deliveryId)).last()
        .satisfies(e -> assertThat(e.status()).isEqualTo("DELIVERED"));
    assertThat(audit.verifyChain("acme").intact()).isTrue();
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
  }
}
