package dev.relay.api.outage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.RelayApiApplication;
import dev.relay.api.support.Http;
import dev.relay.api.support.StartEvents;
import dev.relay.api.support.TwilioFake;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.SearchAttributes;
import dev.relay.store.delivery.DeliveryRecord;
import dev.relay.store.delivery.DeliveryRepository;
import dev.relay.store.delivery.SendLedgerRepository;
import dev.relay.store.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Temporal unreachable (its target is a closed port): deliveries are still accepted and readable
 * from PostgreSQL, nothing is lost (the row waits for the starter), and calls that need Temporal
 * answer 503 instead of hanging or failing with 500. Last, Temporal comes up on that port and the
 * sweeper starts what waited.
 */
@SpringBootTest(classes = RelayApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "relay.temporal.rpc-retry-expiration=1s",
        // The sweeper runs (and finds Temporal down) throughout; short pauses so the last test
        // sees it start the waiting deliveries soon after Temporal comes back.
        "relay.starter.interval=300ms",
        "relay.starter.claim=1s",
        "relay.starter.backoff=200ms",
        "relay.starter.max-backoff=1s",
        "relay.twilio.auth-token=down-token",
        "relay.twilio.webhook-base-url=https://relay.example.test",
        "relay.bootstrap[0].id=acme",
        "relay.bootstrap[0].keys[0].key=" + TemporalDownTest.CLIENT,
        "relay.bootstrap[0].keys[0].role=CLIENT",
        "relay.bootstrap[0].keys[1].key=" + TemporalDownTest.SUPPORT,
        "relay.bootstrap[0].keys[1].role=SUPPORT",
    })
@Import(TemporalDownTest.Database.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TemporalDownTest {
  static final String CLIENT = "down-client-key-000000000001";
  static final String SUPPORT = "down-support-key-00000000001";

  @TestConfiguration(proxyBeanMethods = false)
  static class Database {
    @Bean
    @Primary
    DataSource testDataSource() {
      return TestDatabase.fresh();
    }
  }

  /** Where the API looks for Temporal: nothing listens there until the last test. */
  static int temporalPort;
  static TestServer.PortBoundTestServer temporal;

  @DynamicPropertySource
  static void closedTemporal(DynamicPropertyRegistry registry) {
    try (ServerSocket socket = new ServerSocket(0)) {
      temporalPort = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    registry.add("relay.temporal.target", () -> "localhost:" + temporalPort);
  }

  @AfterAll
  static void stopTemporal() {
    if (temporal != null) {
      temporal.close();
    }
  }

  @LocalServerPort
  int port;
  @Autowired
  DeliveryRepository deliveries;
  @Autowired
  SendLedgerRepository ledger;
  @Autowired
  Jdbi jdbi;

  static final String recipient = "down-recipient";
  static final String template = "down-template";

  Http http() {
    return new Http("http://localhost:" + port);
  }

  /** Fixtures through the API (idempotent PUTs), then a delivery accepted while Temporal is down. */
  String accept(String key) {
    return accept(key, null);
  }

  String accept(String key, String channels) {
    assertThat(http().put("/v1/recipients/" + recipient, CLIENT,
        "{\"contacts\":[{\"channel\":\"EMAIL\",\"address\":\"down@example.org\",\"verified\":true}]}")
        .status()).isEqualTo(200);
    assertThat(http().put("/v1/templates/" + template, CLIENT,
        "{\"subject\":\"s\",\"textBody\":\"t\"}").status()).isEqualTo(200);
    Http.Reply r = http().post("/v1/deliveries", CLIENT,
        "{\"recipientId\":\"" + recipient + "\",\"purpose\":\"billing\",\"templateId\":\"" + template + "\""
            + (channels == null ? "" : ",\"channels\":" + channels) + "}",
        "Idempotency-Key", key);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r.json().path("deliveryId").asString();
  }

  @Test
  void deliveriesAreStillAcceptedAndReadableAndWaitForTheStarter() {
    String key = "down-key-1";
    String id = accept(key);

    assertThat(id).isEqualTo(DeliveryIds.deliveryId("acme", key));
    Http.Reply got = http().get("/v1/deliveries/" + id, CLIENT);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json().path("status").asString()).isEqualTo("ACCEPTED");
    DeliveryRecord row = deliveries.find("acme", id).orElseThrow();
    assertThat(row.workflowStarted()).isFalse();
    assertThat(deliveries.notStarted(100)).extracting(DeliveryRecord::id).contains(id);
    // A client retry gets the same delivery.
    Http.Reply again = http().post("/v1/deliveries", CLIENT,
        "{\"recipientId\":\"" + recipient + "\",\"purpose\":\"billing\",\"templateId\":\"" + template + "\"}",
        "Idempotency-Key", key);
    assertThat(again.json().path("deliveryId").asString()).isEqualTo(id);
  }

  @Test
  void supportActionsAre503UntilTheWorkflowRuns() {
    String id = accept("down-key-2");
    Http.Reply r = http().post("/v1/deliveries/" + id + "/actions", SUPPORT,
        "{\"action\":\"CANCEL\",\"reason\":\"stop\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(503);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.header("Retry-After")).isPresent();
  }

  @Test
  void aSignedReceiptIsRecordedAnd503SoTwilioRetries() {
    String id = accept("down-key-3");
    String sid = TwilioFake.sid();
    ledger.begin(DeliveryIds.sendKey(id, dev.relay.contracts.Channel.SMS, 1), "acme", id, "SMS", 1, "twilio");
    ledger.markSent(DeliveryIds.sendKey(id, dev.relay.contracts.Channel.SMS, 1), "twilio", sid);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("MessageSid", sid);
    params.put("MessageStatus", "delivered");
    String path = "/v1/webhooks/twilio/status?deliveryId=" + id;
    String signature = TwilioFake.signature("down-token", "https://relay.example.test" + path, params);

    Http.Reply r = http().send("POST", path, null, "application/x-www-form-urlencoded",
        TwilioFake.form(params), "X-Twilio-Signature", signature);

    assertThat(r.status()).as(r.body()).isEqualTo(503);
    assertThat(r.header("Retry-After")).isPresent();
    int recorded = jdbi.withHandle(h -> h.createQuery(
            "select count(*) from provider_receipts where provider_message_id = :m")
        .bind("m", sid).mapTo(Integer.class).one());
    assertThat(recorded).isEqualTo(1);
  }

  @Test
  void batchesAreAcceptedToo() {
    accept("down-key-fixtures");
    Http.Reply r = http().post("/v1/deliveries/batch", CLIENT, "{\"items\":["
        + "{\"idempotencyKey\":\"down-batch-1\",\"recipientId\":\"" + recipient
        + "\",\"purpose\":\"billing\",\"templateId\":\"" + template + "\"},"
        + "{\"idempotencyKey\":\"down-batch-2\",\"recipientId\":\"" + recipient
        + "\",\"purpose\":\"billing\",\"templateId\":\"" + template + "\"}]}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().path("accepted").asInt()).isEqualTo(2);
  }

  /** Runs last: it brings Temporal up, which the tests above must not see. */
  @Test
  @Order(Integer.MAX_VALUE)
  void whenTemporalComesBackTheSweeperStartsWhatWaitedWithItsSearchAttributes() {
    String id = accept("down-key-4", "[\"SMS\",\"EMAIL\"]");
    assertThat(http().get("/v1/deliveries/" + id, CLIENT).json().path("status").asString())
        .isEqualTo("ACCEPTED");
    assertThat(deliveries.find("acme", id).orElseThrow().workflowStarted()).isFalse();

    temporal = TestServer.createPortBoundServer(temporalPort);
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("localhost:" + temporalPort).build());
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget("localhost:" + temporalPort)
            .validateAndBuildWithDefaults());
    try {
      AddSearchAttributesRequest.Builder register = AddSearchAttributesRequest.newBuilder()
          .setNamespace("default");
      SearchAttributes.ALL.forEach(key ->
          register.putSearchAttributes(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
      operator.blockingStub().addSearchAttributes(register.build());

      // Every delivery accepted during the outage gets its workflow, none is lost.
      List<String> waiting = List.of(id, DeliveryIds.deliveryId("acme", "down-key-1"),
          DeliveryIds.deliveryId("acme", "down-batch-1"), DeliveryIds.deliveryId("acme", "down-batch-2"));
      long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (waiting.stream().anyMatch(d -> !deliveries.find("acme", d).orElseThrow().workflowStarted())
          && System.nanoTime() < until) {
        sleep(100);
      }
      assertThat(waiting).allSatisfy(d ->
          assertThat(deliveries.find("acme", d).orElseThrow().workflowStarted()).as(d).isTrue());

      WorkflowClient client = WorkflowClient.newInstance(stubs);
      assertThat(StartEvents.searchAttributesAtStart(client, id))
          .containsEntry("Tenant", "acme").containsEntry("RecipientId", recipient)
          .containsEntry("Purpose", "billing").containsEntry("DeliveryStatus", "ACCEPTED")
          .containsEntry("Channel", "SMS");
    } finally {
      operator.shutdownNow();
      stubs.shutdownNow();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
