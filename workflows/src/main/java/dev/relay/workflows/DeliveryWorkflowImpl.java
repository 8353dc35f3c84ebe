package dev.relay.workflows;

import static dev.relay.contracts.DeliveryStatus.CANCELLED;
import static dev.relay.contracts.DeliveryStatus.EXPIRED;
import static dev.relay.contracts.DeliveryStatus.NEEDS_ATTENTION;

import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryView;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import dev.relay.contracts.workflow.ProviderReceipt;
import dev.relay.contracts.workflow.SupportAction;
import dev.relay.workflows.SupportMailbox.SupportCommand;
import dev.relay.workflows.SupportMailbox.SupportKind;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One delivery, as an explicit state machine over {@link dev.relay.contracts.DeliveryStatus}
 * (legal moves in {@link DeliveryTransitions}): a first round over the requested channels
 * ({@link SendRound}), then, while it needs attention, one round per support action
 * ({@link SupportMailbox}), all interruptible by a cancel or the deadline ({@link DeliveryTimers}).
 * {@link DeliveryJournal} keeps the record. Deterministic code only: workflow time, workflow
 * random, no I/O.
 */
public class DeliveryWorkflowImpl implements DeliveryWorkflow {

  /**
   * The change that added status notifications and the delay notice. Workflows that started
   * before it (no marker in their history) run without them, so their histories still replay.
   */
  static final String STATUS_NOTIFICATIONS = "status-notifications";
  /**
   * The lean delivery: bookkeeping carried by the activities that run anyway, one preparation
   * activity, sends on per-channel queues that return refusals, search attributes set at start
   * and changed only at waits and ends, one timer at a time, bounded support. Version 1 for every
   * workflow started since; histories without the marker replay the legacy path. Version 2: the
   * preparation runs as a local activity first ({@link LeanChannelSteps}).
   */
  static final String LEAN_DELIVERIES = "lean-deliveries";
  /** Counter of automatic fallbacks to the next channel, tagged from and to. */
  public static final String CHANNEL_SUBSTITUTIONS = SendRound.CHANNEL_SUBSTITUTIONS;
  /** How long a lean delivery without a deadline waits for support before it expires. */
  static final Duration ATTENTION_MAX_WAIT = Duration.ofDays(30);

  private DeliveryRequest request;
  private boolean lean;
  private DeliveryJournal journal;
  private SupportMailbox mailbox;
  private SendRound round;
  private DeliveryTimers timers;

  // Receipts signalled before deliver() set the round up (handlers can run first).
  private final List<ProviderReceipt> earlyReceipts = new ArrayList<>();

  // Why the processing scope was cancelled (support cancel or deadline); null for a client cancel.
  private Stop stop;
  private CancellationScope processing;

  @Override
  public DeliveryView deliver(DeliveryRequest request) {
    this.request = request;
    String deliveryId =
        request.deliveryId() != null ? request.deliveryId() : Workflow.getInfo().getWorkflowId();
    int leanVersion = Workflow.getVersion(LEAN_DELIVERIES, Workflow.DEFAULT_VERSION, 2);
    lean = leanVersion >= 1;
    boolean notifications = lean
        || Workflow.getVersion(STATUS_NOTIFICATIONS, Workflow.DEFAULT_VERSION, 1) >= 1;
    journal = new DeliveryJournal(request, deliveryId, lean, notifications);
    mailbox = new SupportMailbox(journal::status, lean);
    ChannelSteps steps = lean
        ? new LeanChannelSteps(request, deliveryId, journal, leanVersion >= 2)
        : new LegacyChannelSteps(request, deliveryId);
    round = new SendRound(request, deliveryId, journal, steps, mailbox, Workflow.newRandom());
    timers = new DeliveryTimers(request, journal, () -> stop != null, this::expire);
    earlyReceipts.forEach(round::receipt);
    earlyReceipts.clear();

    journal.publishRequest();
    journal.note("accept", "ok", "channels " + request.channels() + ", purpose " + request.purpose());

    // All processing runs in one scope, so a cancel or the deadline can interrupt it anywhere.
    processing = Workflow.newCancellationScope(this::process);
    if (lean) {
      timers.startLean();
    } else {
      timers.startLegacy(notifications);
    }
    if (stop != null) {
      processing.cancel("stopped before processing started");
    }
    try {
      processing.run();
    } catch (TemporalFailure e) {
      if (!processing.isCancelRequested()) {
        throw e;
      }
      // Interrupted by a cancel, the deadline or a client cancellation: recorded below.
    }

    // Detached: even when the client cancelled the whole workflow, the end is recorded and every
    // update still in flight gets its answer before the workflow completes.
    Workflow.newDetachedCancellationScope(
            () -> {
              if (!journal.status().isFinal()) {
                recordStop();
              }
              Workflow.await(() -> Workflow.isEveryHandlerFinished() && !timers.busy());
              journal.flush();
            })
        .run();
    return journal.view();
  }

  // ---------------------------------------------------------------- main loop

  private void process() {
    round.run(request.channels(), null);
    // NEEDS_ATTENTION is never dropped: wait for a support action (or a late receipt).
    while (journal.status() == NEEDS_ATTENTION) {
      if (!awaitSupport()) {
        journal.reason("no support action within " + ATTENTION_MAX_WAIT);
        journal.move(EXPIRED, "attention", "expired", journal.reason());
        return;
      }
      if (!mailbox.hasPending()) {
        round.settleLateReceipt();
        continue;
      }
      SupportCommand command = mailbox.take();
      switch (command.kind) {
        case RETRY -> round.run(List.of(round.retryChannel()), command);
        case REROUTE -> round.run(List.of(command.action.channel()), command);
        case MARK_DELIVERED -> round.markDelivered(command);
        default -> throw new IllegalStateException("not a main-loop action: " + command.kind);
      }
    }
  }

  /**
   * Waits for support or a late receipt; false when a lean delivery without a deadline waited
   * {@link #ATTENTION_MAX_WAIT} in vain (its history must not stay open for ever).
   */
  private boolean awaitSupport() {
    journal.flush(); // a wait: the record must not lag behind it
    if (lean && request.deadline() == null) {
      return Workflow.await(ATTENTION_MAX_WAIT,
          () -> mailbox.hasPending() || round.lateReceiptArrived());
    }
    Workflow.await(() -> mailbox.hasPending() || round.lateReceiptArrived());
    return true;
  }

  private void expire() {
    if (stop == null) {
      stop = new Stop(true, null);
      processing.cancel("deadline passed");
    }
  }

  /** Records CANCELLED or EXPIRED after the processing scope was interrupted. */
  private void recordStop() {
    if (stop != null && stop.expired()) {
      journal.reason("deadline " + request.deadline() + " passed");
      journal.move(EXPIRED, "deadline", "expired", journal.reason());
    } else if (stop != null) {
      journal.reason(stop.action().reason());
      journal.log(CANCELLED, stop.action().actor(), SupportKind.CANCEL.step, "accepted",
          journal.reason(), null, null);
    } else {
      journal.reason("workflow cancellation requested");
      journal.log(CANCELLED, "client", "cancel", "accepted", journal.reason(), null, null);
    }
  }

  // ---------------------------------------------------------------- signal, query, updates

  @Override
  public void receipt(ProviderReceipt receipt) {
    if (round == null) {
      earlyReceipts.add(receipt);
      return;
    }
    round.receipt(receipt);
  }

  @Override
  public DeliveryView status() {
    if (journal == null) {
      return new DeliveryView(null, DeliveryStatus.ACCEPTED, null, 0, null, null, List.of());
    }
    return journal.view();
  }

  @Override
  public void validateRetry(SupportAction action) {
    started().validate(SupportKind.RETRY, action);
  }

  @Override
  public DeliveryView retry(SupportAction action) {
    mailbox.submit(SupportKind.RETRY, action);
    return journal.view();
  }

  @Override
  public void validateReroute(SupportAction action) {
    started().validate(SupportKind.REROUTE, action);
  }

  @Override
  public DeliveryView reroute(SupportAction action) {
    mailbox.submit(SupportKind.REROUTE, action);
    return journal.view();
  }

  @Override
  public void validateMarkDelivered(SupportAction action) {
    started().validate(SupportKind.MARK_DELIVERED, action);
  }

  @Override
  public DeliveryView markDelivered(SupportAction action) {
    mailbox.submit(SupportKind.MARK_DELIVERED, action);
    return journal.view();
  }

  @Override
  public void validateCancel(SupportAction action) {
    started().validate(SupportKind.CANCEL, action);
  }

  @Override
  public DeliveryView cancel(SupportAction action) {
    if (journal.status().isFinal()) {
      throw ApplicationFailure.newNonRetryableFailure(
          mailbox.cannot(SupportKind.CANCEL, "it is final"), IllegalStateException.class.getName());
    }
    if (stop == null) {
      stop = new Stop(false, action);
    }
    if (processing != null) {
      processing.cancel("cancelled by " + action.actor());
    }
    Workflow.await(() -> journal.status().isFinal());
    return journal.view();
  }

  /** Updates may be validated before deliver() ran: they are refused until it has. */
  private SupportMailbox started() {
    if (mailbox == null) {
      throw new IllegalStateException("the delivery has not started yet; try again");
    }
    return mailbox;
  }

  private record Stop(boolean expired, SupportAction action) {}
}
