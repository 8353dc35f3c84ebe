package dev.relay.worker;

import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts polling once the context is ready and stops it gracefully: running activities get
 * {@code shutdownGrace} to finish before the process exits; whatever does not finish is retried
 * by Temporal on another worker (activities are idempotent).
 */
public class WorkerLifecycle implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(WorkerLifecycle.class);
  private final WorkerFactory factory;
  private final Duration shutdownGrace;
  private volatile boolean running;

  public WorkerLifecycle(WorkerFactory factory, Duration shutdownGrace) {
    this.factory = factory;
    this.shutdownGrace = shutdownGrace;
  }

  @Override
  public void start() {
    factory.start();
    running = true;
    log.info("Relay worker polling its task queues");
  }

  @Override
  public void stop() {
    factory.shutdown();
    factory.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
    running = false;
    log.info("Relay worker stopped");
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
