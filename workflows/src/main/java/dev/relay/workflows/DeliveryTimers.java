package dev.relay.workflows;

import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.StatusEventType;
import dev.relay.contracts.workflow.DeliveryRequest;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * The delivery's clocks: the delay notice before the deadline, and the deadline itself. Durable
 * timers, so they hold across worker and server restarts.
 */
final class DeliveryTimers {

  /** What the deadline does to the delivery: the workflow cancels its processing. */
  interface Expiry {
    void expire();
  }

  private final DeliveryRequest request;
  private final DeliveryJournal journal;
  private final Expiry expiry;
  // True while the delay notice is being recorded: the workflow does not complete under it.
  private boolean markingDelayed;
  private final BooleanSupplier stopped;

  /** @param stopped whether a cancel or the deadline already stopped the delivery */
  DeliveryTimers(DeliveryRequest request, DeliveryJournal journal, BooleanSupplier stopped,
      Expiry expiry) {
    this.request = request;
    this.journal = journal;
    this.stopped = stopped;
    this.expiry = expiry;
  }

  boolean busy() {
    return markingDelayed;
  }

  /**
   * Lean: one timer at a time (the delay notice, then the deadline), and none cancelled when the
   * delivery ends first: a pending timer simply goes with the workflow, where an awaited
   * condition would add a TimerCanceled event and a command to every delivery.
   */
  void startLean() {
    Instant deadline = request.deadline();
    if (deadline == null) {
      return;
    }
    Duration total = Duration.between(DeliveryJournal.now(), deadline);
    Duration notice = request.policy().delayNotice();
    Async.procedure(() -> {
      if (total.compareTo(Duration.ZERO) > 0 && !notice.isZero()) {
        Workflow.sleep(delayWait(total, notice));
        if (!journal.status().isFinal() && !stopped.getAsBoolean()) {
          markDelayed(deadline);
        }
        Duration left = Duration.between(DeliveryJournal.now(), deadline);
        if (left.compareTo(Duration.ZERO) > 0) {
          Workflow.sleep(left);
        }
      } else if (total.compareTo(Duration.ZERO) > 0) {
        Workflow.sleep(total);
      }
      if (!journal.status().isFinal() && !stopped.getAsBoolean()) {
        expiry.expire();
      }
    });
  }

  /** Legacy: a watcher per clock, as those histories recorded them. */
  void startLegacy(boolean notifications) {
    watchDeadline();
    if (notifications) {
      watchDelay();
    }
  }

  /** A durable timer: past the deadline an unfinished delivery ends EXPIRED, whatever it was doing. */
  private void watchDeadline() {
    Instant deadline = request.deadline();
    if (deadline == null) {
      return;
    }
    Duration left = Duration.between(DeliveryJournal.now(), deadline);
    Async.procedure(() -> {
      boolean finished = left.compareTo(Duration.ZERO) > 0
          && Workflow.await(left, () -> journal.status().isFinal());
      if (!finished && !journal.status().isFinal() && !stopped.getAsBoolean()) {
        expiry.expire();
      }
    });
  }

  /**
   * A durable timer for the delay notice: a delivery still not final {@code delayNotice} before its
   * deadline is marked delayed and the client told.
   */
  private void watchDelay() {
    Instant deadline = request.deadline();
    Duration notice = request.policy().delayNotice();
    if (deadline == null || notice.isZero()) {
      return;
    }
    Duration total = Duration.between(DeliveryJournal.now(), deadline);
    if (total.compareTo(Duration.ZERO) <= 0) {
      return; // already past: the deadline watcher expires it
    }
    Duration wait = delayWait(total, notice);
    Async.procedure(() -> {
      boolean finished = Workflow.await(wait, () -> journal.status().isFinal());
      if (!finished && !journal.status().isFinal() && !stopped.getAsBoolean()) {
        markDelayed(deadline);
      }
    });
  }

  /**
   * {@code notice} before the deadline; a deadline closer than twice the notice gets it at the
   * midpoint instead, so a delivery is never called delayed before it had half its time.
   */
  private static Duration delayWait(Duration total, Duration notice) {
    Duration beforeNotice = total.minus(notice);
    Duration half = total.dividedBy(2);
    return beforeNotice.compareTo(half) > 0 ? beforeNotice : half;
  }

  private void markDelayed(Instant deadline) {
    journal.markDelayed();
    markingDelayed = true;
    try {
      Duration left = Duration.between(DeliveryJournal.now(), deadline);
      // No status in the audit event: being late changes neither the status nor its reason.
      AuditEvent event = journal.record(DeliveryJournal.RELAY, "delayed", "late",
          "still " + journal.status() + " " + left + " before the deadline " + deadline, null, null,
          null);
      journal.notifyStatus(StatusEventType.DELAYED, event);
      journal.flush(); // the client is told now, not when the delivery next runs an activity
    } finally {
      markingDelayed = false;
    }
  }
}
