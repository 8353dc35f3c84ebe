package dev.relay.api.deliveries;

import dev.relay.api.config.RelayProperties;
import dev.relay.store.delivery.DeliveryRecord;
import dev.relay.store.delivery.DeliveryRepository;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Nothing accepted is lost: every {@code relay.starter.interval} this starts the workflows of
 * accepted deliveries whose start Temporal has not confirmed (it was down, or the API died
 * between the insert and the start). Starting is idempotent ({@link WorkflowStarter}), so this may
 * race a POST, or another API instance, harmlessly.
 */
@Component
public class DeliveryStarter implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(DeliveryStarter.class);

  private final DeliveryRepository deliveries;
  private final WorkflowStarter starter;
  private final RelayProperties properties;
  private ScheduledExecutorService scheduler;

  public DeliveryStarter(DeliveryRepository deliveries, WorkflowStarter starter,
      RelayProperties properties) {
    this.deliveries = deliveries;
    this.starter = starter;
    this.properties = properties;
  }

  /** One pass: returns how many workflows it got confirmed. */
  public int startPending() {
    // Rows younger than the start timeout are most likely being started by their POST right now.
    Instant settled = Instant.now().minus(properties.temporal().startTimeout());
    List<DeliveryRecord> pending = deliveries.notStarted(properties.starter().batchSize());
    int started = 0;
    for (DeliveryRecord record : pending) {
      if (record.createdAt().isAfter(settled)) {
        continue;
      }
      WorkflowStarter.Outcome outcome = starter.start(record);
      if (outcome == WorkflowStarter.Outcome.UNAVAILABLE) {
        // Temporal is down: stop this pass, try again at the next tick.
        break;
      }
      if (outcome == WorkflowStarter.Outcome.STARTED) {
        started++;
      }
      // FAILED is logged as an error; it must not hold up the deliveries behind it.
    }
    if (started > 0) {
      log.info("started {} pending delivery workflow(s)", started);
    }
    return started;
  }

  private void tick() {
    try {
      startPending();
    } catch (RuntimeException e) {
      log.warn("pending-start pass failed: {}", e.toString());
    }
  }

  @Override
  public synchronized void start() {
    if (!properties.starter().enabled() || scheduler != null) {
      return;
    }
    long interval = Math.max(100, properties.starter().interval().toMillis());
    scheduler = Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("delivery-starter-"));
    scheduler.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return scheduler != null;
  }
}
