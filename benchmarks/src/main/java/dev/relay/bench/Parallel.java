package dev.relay.bench;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs task(0..n-1) on {@code clients} threads, each taking the next index when it is free. */
final class Parallel {
  private Parallel() {}

  /** Returns the failures as "index: message" (at most the first 20 are kept). */
  static List<String> run(int n, int clients, IndexTask task) throws InterruptedException {
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    for (int t = 0; t < clients; t++) {
      pool.execute(() -> {
        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
          try {
            task.run(i);
          } catch (Exception e) {
            if (failures.size() < 20) {
              failures.add(i + ": " + e);
            }
          }
        }
      });
    }
    pool.shutdown();
    if (!pool.awaitTermination(1, TimeUnit.HOURS)) {
      throw new IllegalStateException("clients did not finish");
    }
    return failures;
  }

  interface IndexTask {
    void run(int index) throws Exception;
  }
}
