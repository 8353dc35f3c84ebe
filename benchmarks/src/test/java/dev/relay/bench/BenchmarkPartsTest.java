package dev.relay.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

/** The benchmark's arithmetic and parsing; no stack needed and nothing timed. */
class BenchmarkPartsTest {

  @Test
  void percentilesAreNearestRank() {
    List<Double> hundred = DoubleStream.iterate(1, x -> x + 1).limit(100).boxed().toList();
    Latencies l = Latencies.ofMillis(hundred);
    assertEquals(50, l.p50());
    assertEquals(99, l.p99());
    assertEquals(100, l.max());
    assertEquals(7, Latencies.ofMillis(List.of(7.0)).p99());
    assertTrue(Double.isNaN(Latencies.ofMillis(List.of()).p50()));
  }

  @Test
  void readsSlotsAndPollersOfTheDeliveryQueueFromPrometheus() {
    String text = """
        # TYPE temporal_worker_task_slots_available gauge
        temporal_worker_task_slots_available{task_queue="relay-delivery",worker_type="ActivityWorker"} 47.0
        temporal_worker_task_slots_used{task_queue="relay-delivery",worker_type="ActivityWorker"} 3.0
        temporal_worker_task_slots_available{task_queue="relay-delivery",worker_type="WorkflowWorker"} 50.0
        temporal_worker_task_slots_used{task_queue="relay-delivery",worker_type="WorkflowWorker"} 0.0
        temporal_worker_task_slots_available{task_queue="relay-delivery",worker_type="LocalActivityWorker"} 200.0
        temporal_worker_task_slots_available{task_queue="other",worker_type="ActivityWorker"} 9.0
        temporal_num_pollers{poller_type="activity_task",task_queue="relay-delivery"} 5.0
        temporal_num_pollers{poller_type="workflow_task",task_queue="relay-delivery"} 2.0
        temporal_num_pollers{poller_type="workflow_sticky_task",task_queue="relay-delivery"} 3.0
        hikaricp_connections_max{pool="HikariPool-1"} 20.0
        """;
    WorkerSettings s = WorkerSettings.fromPrometheus(text, "relay-delivery", "http://w");
    assertEquals(50, s.activitySlots());
    assertEquals(50, s.workflowTaskSlots());
    assertEquals(5, s.activityPollers());
    assertEquals(5, s.workflowPollers());
    assertEquals(20, s.jdbcPoolMax());
    assertNull(WorkerSettings.fromPrometheus("up 1\n", "relay-delivery", "http://w"));
  }

  @Test
  void optionsHaveDefaultsAndAreChecked() {
    Config c = Config.parse(new String[] {"--deliveries", "40"});
    assertEquals(40, c.deliveries());
    assertEquals(16, c.concurrency());
    assertEquals(16, c.warmup());
    assertThrows(IllegalArgumentException.class, () -> Config.parse(new String[] {"--concurrency", "0"}));
    assertThrows(IllegalArgumentException.class, () -> Config.parse(new String[] {"--nope", "1"}));
  }
}
