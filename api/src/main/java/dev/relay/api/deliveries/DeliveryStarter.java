package dev.relay.api.deliveries;

import dev.relay.api.config.RelayProperties;
import dev.relay.store.delivery.DeliveryRecord;
import dev.relay.store.delivery.DeliveryRepository;
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
 * Nothing accepted is lost: every {@code relay.starter.interval} this sweeps the deliveries whose
 * workflow start Temporal has not confirmed and that nobody holds a claim on (the kick was handed
 * back, Temporal was down, or an API process died between the commit and the start). It claims
 * the rows it takes, so the sweepers of several API processes work disjoint rows; starting is
 * idempotent anyway ({@link WorkflowStarter}), so an expired claim's double start is harmless.
 *
 * <p>It starts one row at a time: after an outage the backlog drains at a pace Temporal sets,
 * and while Temporal is unreachable ({@link WorkflowStarter#paused()}) it does not call at all.
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

  /** One sweep: returns how many workflows it got confirmed. */
  public int startPending() {
    RelayProperties.Starter knobs = properties.starter();
    int started = 0;
    while (!starter.paused()) {
      List<DeliveryRecord> claimed = deliveries.claimUnstarted(knobs.batchSize(), knobs.claim());
      boolean interrupted = false;
      for (DeliveryRecord record : claimed) {
        if (interrupted || starter.paused() || Thread.currentThread().isInterrupted()) {
          // Temporal went away mid-sweep: give the rest back for the next sweep.
          interrupted = true;
          deliveries.releaseStartClaim(record.id());
          continue;
        }
        WorkflowStarter.Outcome outcome = starter.start(record);
        if (outcome == WorkflowStarter.Outcome.STARTED) {
          started++;
        } else if (outcome == WorkflowStarter.Outcome.UNAVAILABLE) {
          deliveries.releaseStartClaim(record.id());
        }
        // FAILED is logged as an error and keeps its claim: it is retried when the claim runs
        // out, and it does not hold up the deliveries behind it.
      }
      if (interrupted || claimed.size() < knobs.batchSize()) {
        break;
      }
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
      log.warn("pending-start sweep failed: {}", e.toString());
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
