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
    assertEquals(java.util.Set.of("closed", "open", "bare"), c.modes());
    assertEquals(List.of(10.0, 20.0, 50.0, 100.0), c.rates());
    assertEquals(0, c.burst());
  }

  @Test
  void burstAndRatesAreSelectedByFlags() {
    Config c = Config.parse(new String[] {"--modes", "burst", "--burst", "500", "--rates", "50,5", "--smtp", "h:2525"});
    assertEquals(java.util.Set.of("burst"), c.modes());
    assertEquals(500, c.burst());
    assertEquals(List.of(5.0, 50.0), c.rates());
    assertEquals("h", c.smtpHost());
    assertEquals(2525, c.smtpPort());
    assertEquals(10_000, Config.parse(new String[] {"--modes", "closed,burst"}).burst());
    assertTrue(Config.parse(new String[] {"--burst", "7"}).mode("burst"));
    assertTrue(!Config.parse(new String[] {"--rates", "none"}).mode("open"));
    assertThrows(IllegalArgumentException.class, () -> Config.parse(new String[] {"--rates", "0"}));
    assertThrows(IllegalArgumentException.class, () -> Config.parse(new String[] {"--modes", "fast"}));
  }

  @Test
  void subjectsCarryThePhaseAndIndex() {
    assertEquals(17, Mailpit.index("Relay bench b1 #ro10-17", "ro10"));
    assertEquals(-1, Mailpit.index("Relay bench b1 #ro100-17", "ro10"));
    assertEquals(-1, Mailpit.index("no key", "ro10"));
    assertEquals(3, Mailpit.index("Minimal bench b1 #mc-3", "mc"));
  }

  @Test
  void residentMemoryIsReadFromProcStatus() {
    assertEquals(123456, Rss.parseVmRssKb("Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\n".translateEscapes()));
    assertEquals(0, Rss.parseVmRssKb("Name: x\n".translateEscapes()));
  }

  @Test
  void aRateIsBoundedOnlyWhenItsBacklogClearsWithinTheDrainWindow() {
    java.time.Instant t0 = java.time.Instant.parse("2026-12-02T00:00:00Z");
    java.time.Instant end = t0.plusSeconds(10);
    Tally t = new Tally("x", 2);
    for (int i = 0; i < 2; i++) {
      t.due[i] = t0.plusSeconds(5 * i);
      t.accepted[i] = t.due[i].plusMillis(100);
      t.ids[i] = "d" + i;
    }
    t.arrivals = java.util.Map.of(0, List.of(t0.plusSeconds(1)), 1, List.of(end.plusSeconds(3)));
    Load.RateResult ok = Load.RateResult.of("a", 0.2, 2, t, t0, end, java.time.Duration.ofSeconds(5), false);
    assertTrue(ok.bounded(), ok.verdict());
    assertEquals(3.0, ok.lagSeconds(), 1e-9);
    assertEquals(0.1, ok.deliveredPerSecond(), 1e-9);

    Load.RateResult late = Load.RateResult.of("a", 0.2, 2, t, t0, end, java.time.Duration.ofSeconds(2), false);
    assertTrue(!late.bounded(), late.verdict());

    t.arrivals = java.util.Map.of(0, List.of(t0.plusSeconds(1)));
    Load.RateResult lost = Load.RateResult.of("a", 0.2, 2, t, t0, end, java.time.Duration.ofSeconds(5), false);
    assertTrue(lost.verdict().contains("1 accepted never delivered"), lost.verdict());

    t.arrivals = java.util.Map.of(0, List.of(t0.plusSeconds(1)), 1, List.of(end, end));
    Load.RateResult twice = Load.RateResult.of("a", 0.2, 2, t, t0, end, java.time.Duration.ofSeconds(5), false);
    assertEquals(1, twice.duplicates());
  }
}
