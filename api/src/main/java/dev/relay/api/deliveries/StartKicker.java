package dev.relay.api.deliveries;

import dev.relay.api.config.RelayProperties;
import dev.relay.store.delivery.DeliveryRecord;
import dev.relay.store.delivery.DeliveryRepository;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Starts the workflows of freshly committed deliveries at once, off the request thread, so a POST
 * answers as soon as its row is durable. The pool is small and its queue bounded: that paces
 * starts when Temporal is slow, and what does not fit, or arrives while Temporal is unreachable,
 * is handed back to the {@link DeliveryStarter} sweep instead of failing anyone's request.
 *
 * <p>Rows reach this class claimed (see {@code DeliveryRepository.accept(NewDelivery, Duration)}),
 * so the sweepers of every process leave them alone while they wait here.
 */
@Component
public class StartKicker implements DisposableBean {
  private static final Logger log = LoggerFactory.getLogger(StartKicker.class);

  private final WorkflowStarter starter;
  private final DeliveryRepository deliveries;
  private final ThreadPoolExecutor executor;
  private final long claimNanos;

  public StartKicker(WorkflowStarter starter, DeliveryRepository deliveries,
      RelayProperties properties) {
    this.starter = starter;
    this.deliveries = deliveries;
    RelayProperties.Starter knobs = properties.starter();
    this.claimNanos = knobs.claim().toNanos();
    this.executor = new ThreadPoolExecutor(knobs.kickThreads(), knobs.kickThreads(),
        30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(knobs.kickQueue()),
        new CustomizableThreadFactory("workflow-start-"), new ThreadPoolExecutor.AbortPolicy());
    this.executor.allowCoreThreadTimeOut(true);
  }

  /** Queues the starts of committed, claimed rows; never blocks and never throws. */
  public void kick(List<DeliveryRecord> records) {
    int handedBack = 0;
    for (DeliveryRecord record : records) {
      if (record.workflowStarted()) {
        continue;
      }
      if (starter.paused()) {
        handBack(record);
        handedBack++;
        continue;
      }
      long queued = System.nanoTime();
      try {
        executor.execute(() -> run(record, queued));
      } catch (RejectedExecutionException e) {
        handBack(record);
        handedBack++;
      }
    }
    if (handedBack > 0) {
      log.info("{} workflow start(s) left to the sweeper (start queue full or Temporal unreachable)",
          handedBack);
    }
  }

  public void kick(DeliveryRecord record) {
    kick(List.of(record));
  }

  private void run(DeliveryRecord record, long queued) {
    if (System.nanoTime() - queued > claimNanos) {
      // Waited past its claim (Temporal slow): a sweeper owns the row now; do not double up.
      return;
    }
    // Temporal may have gone away while this waited in the queue: do not add to the pile-up.
    if (starter.paused()) {
      handBack(record);
      return;
    }
    try {
      WorkflowStarter.Outcome outcome = starter.start(record);
      if (outcome == WorkflowStarter.Outcome.UNAVAILABLE) {
        handBack(record);
      }
      // FAILED keeps its claim: the sweeper retries it when the claim runs out, not every tick.
    } catch (RuntimeException e) {
      // Marking the row failed (database gone): the claim runs out and the sweeper starts it
      // again, which Temporal answers with the existing workflow.
      log.warn("start of {} not recorded: {}", record.id(), e.toString());
    }
  }

  /** Releases the row's claim so the next sweep (of any process) starts it. */
  private void handBack(DeliveryRecord record) {
    try {
      deliveries.releaseStartClaim(record.id());
    } catch (RuntimeException e) {
      // The claim runs out on its own; the sweeper takes the row then.
      log.warn("could not release the start claim of {}: {}", record.id(), e.toString());
    }
  }

  @Override
  public void destroy() {
    // Queued rows keep their claims and are swept (here after a restart, or elsewhere) when the
    // claims run out: nothing accepted is lost by stopping.
    executor.shutdownNow();
  }
}
