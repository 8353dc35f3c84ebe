package dev.relay.systemtests;

import static dev.relay.systemtests.Deliveries.audit;
import static dev.relay.systemtests.Deliveries.awaitStatus;
import static dev.relay.systemtests.Deliveries.describe;
import static dev.relay.systemtests.Deliveries.events;
import static dev.relay.systemtests.Deliveries.recipient;
import static dev.relay.systemtests.Deliveries.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.contracts.DeliveryIds;
import dev.relay.systemtests.client.ApiResponse;
import dev.relay.systemtests.client.RelayApi;
import dev.relay.systemtests.stack.Poll;
import dev.relay.systemtests.stack.RelayStack;
import dev.relay.systemtests.stack.StackExtension;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 50 clients POST the same delivery with the same Idempotency-Key at the same moment: they all get
 * the same delivery, Temporal runs one workflow for it, and one mail arrives.
 */
class IdempotencyUnderLoadIT {
  @RegisterExtension
  static final StackExtension STACK = new StackExtension();

  static final int CONCURRENT = 50;

  @Test
  void fiftyConcurrentPostsWithOneKeyMakeOneDeliveryOneWorkflowOneMessage() throws Exception {
    RelayStack stack = STACK.stack();
    RelayApi client = stack.client();
    client.putTemplate("receipt", "Receipt {{number}}", "Your receipt {{number}}.", null, null)
        .expect(200, 201);
    String email = "load@idem.example.test";
    recipient(client, "load", email, null, "billing", Map.of("EMAIL", true));
    String key = "idem-load-0001";
    Map<String, Object> body = request("load", "billing", "receipt", Map.of("number", "R-1"), null, null);

    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
    List<ApiResponse> responses = new ArrayList<>();
    try {
      CountDownLatch ready = new CountDownLatch(CONCURRENT);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<ApiResponse>> futures = new ArrayList<>();
      for (int i = 0; i < CONCURRENT; i++) {
        RelayApi own = stack.client(); // one HTTP client (connection) per caller
        futures.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          return own.createDelivery(key, body);
        }));
      }
      assertThat(ready.await(30, TimeUnit.SECONDS)).as("all callers ready").isTrue();
      go.countDown();
      for (Future<ApiResponse> f : futures) {
        responses.add(f.get(90, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(responses).as("every answer").allSatisfy(r -> r.expect(202));
    Set<String> ids = responses.stream().map(r -> r.body().path("deliveryId").asText())
        .collect(Collectors.toSet());
    String expectedId = DeliveryIds.deliveryId(RelayStack.TENANT, key);
    assertThat(ids).as("delivery IDs handed out").containsExactly(expectedId);
    long created = responses.stream().filter(r -> "false".equals(r.header("Idempotent-Replayed"))).count();
    assertThat(created).as("answers that created the delivery (Idempotent-Replayed: false)").isEqualTo(1);

    // The same key with another body is refused.
    Map<String, Object> other = request("load", "billing", "receipt", Map.of("number", "R-2"), null, null);
    client.createDelivery(key, other).expect(422);

    awaitStatus(client, expectedId, Duration.ofSeconds(60), "DELIVERED");

    // Temporal's visibility: exactly one workflow (one run) for this delivery, completed.
    String query = "WorkflowId = '" + DeliveryIds.workflowId(expectedId) + "'";
    List<WorkflowExecutionMetadata> runs = Poll.until("visibility to show the completed workflow",
        Duration.ofSeconds(30),
        () -> stack.workflowClient().listExecutions(query).toList(),
        list -> list.stream().anyMatch(m -> m.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED));
    assertThat(runs).as("workflow runs for %s", expectedId).hasSize(1);
    assertThat(stack.workflowClient().countWorkflows(query).getCount()).isEqualTo(1);
    assertThat(stack.workflowClient().countWorkflows("WorkflowType = 'DeliveryWorkflow'").getCount())
        .as("delivery workflows on the server").isEqualTo(1);

    assertThat(stack.smtp().messagesTo(email)).as("mails to %s", email).hasSize(1);
    var trail = audit(client, expectedId);
    assertThat(events(trail, "send", "accepted")).as("sends in %s", describe(trail)).hasSize(1);
    assertThat(events(trail, "accept")).as("accept events in %s", describe(trail)).hasSize(1);
  }
}
