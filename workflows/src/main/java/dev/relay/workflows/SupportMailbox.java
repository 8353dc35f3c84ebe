package dev.relay.workflows;

import static dev.relay.contracts.DeliveryStatus.AWAITING_RECEIPT;
import static dev.relay.contracts.DeliveryStatus.NEEDS_ATTENTION;

import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.workflow.SupportAction;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Support actions between their Update handlers and the main loop: validation (before anything
 * touches history), hand-over of one action at a time, and the bound on support rounds that
 * keeps a delivery's history finite.
 */
final class SupportMailbox {

  /**
   * Support rounds (retry, reroute) a lean delivery takes. Each round adds a bounded number of
   * events (tries are capped per round), so this cap bounds the whole history far below Temporal's
   * 50k-event limit; past it support is told to cancel and start a new delivery.
   */
  static final int MAX_SUPPORT_ROUNDS = 25;

  /** The support actions, with the audit step and the states each is valid in. */
  enum SupportKind {
    RETRY("retry", "support.retry", EnumSet.of(NEEDS_ATTENTION)),
    REROUTE("reroute", "support.reroute", EnumSet.of(NEEDS_ATTENTION)),
    MARK_DELIVERED("mark delivered", "support.markDelivered", EnumSet.of(NEEDS_ATTENTION, AWAITING_RECEIPT)),
    CANCEL("cancel", "support.cancel", EnumSet.noneOf(DeliveryStatus.class));

    final String verb;
    final String step;
    // EnumSet: printed in refusals, so its order must not change from one JVM to the next.
    private final Set<DeliveryStatus> allowedIn;

    SupportKind(String verb, String step, Set<DeliveryStatus> allowedIn) {
      this.verb = verb;
      this.step = step;
      this.allowedIn = allowedIn;
    }

    boolean startsRound() {
      return this == RETRY || this == REROUTE;
    }
  }

  /** A support action waiting for the main loop; {@code taken} once the loop acted on it. */
  static final class SupportCommand {
    final SupportKind kind;
    final SupportAction action;
    private boolean taken;

    private SupportCommand(SupportKind kind, SupportAction action) {
      this.kind = kind;
      this.action = action;
    }
  }

  private final Supplier<DeliveryStatus> status;
  private final boolean capRounds;
  private SupportCommand pending;
  private int rounds;

  SupportMailbox(Supplier<DeliveryStatus> status, boolean capRounds) {
    this.status = status;
    this.capRounds = capRounds;
  }

  boolean hasPending() {
    return pending != null;
  }

  /** Update validator: refuses before the action reaches history. */
  void validate(SupportKind kind, SupportAction action) {
    requireActorAndReason(action);
    if (kind == SupportKind.REROUTE && action.channel() == null) {
      throw new IllegalArgumentException("channel must be given to reroute");
    }
    if (kind == SupportKind.MARK_DELIVERED && isBlank(action.evidence())) {
      throw new IllegalArgumentException("evidence must not be blank");
    }
    if (kind == SupportKind.CANCEL) {
      if (status.get().isFinal()) {
        throw new IllegalStateException(cannot(kind, "it is final"));
      }
      return;
    }
    String conflict = conflict(kind);
    if (conflict != null) {
      throw new IllegalStateException(conflict);
    }
  }

  /** Hands the action to the main loop and returns once the loop has acted on it. */
  void submit(SupportKind kind, SupportAction action) {
    // The validator saw the state at admission; another update may have got in since.
    String conflict = conflict(kind);
    if (conflict != null) {
      throw ApplicationFailure.newNonRetryableFailure(conflict, IllegalStateException.class.getName());
    }
    SupportCommand command = new SupportCommand(kind, action);
    pending = command;
    Workflow.await(() -> command.taken || status.get().isFinal());
  }

  SupportCommand take() {
    SupportCommand command = pending;
    pending = null;
    command.taken = true;
    if (command.kind.startsRound()) {
      rounds++;
    }
    return command;
  }

  String cannot(SupportKind kind, String why) {
    return "cannot " + kind.verb + " a delivery in state " + status.get() + ": " + why;
  }

  private String conflict(SupportKind kind) {
    if (!kind.allowedIn.contains(status.get())) {
      return cannot(kind, "allowed only in " + kind.allowedIn);
    }
    if (pending != null) {
      return cannot(kind, "support action " + pending.kind.verb + " is in progress");
    }
    if (capRounds && kind.startsRound() && rounds >= MAX_SUPPORT_ROUNDS) {
      return cannot(kind, "it already had " + MAX_SUPPORT_ROUNDS
          + " support rounds; cancel it and send a new delivery");
    }
    return null;
  }

  private static void requireActorAndReason(SupportAction action) {
    if (action == null) {
      throw new IllegalArgumentException("action must be given");
    }
    if (isBlank(action.actor())) {
      throw new IllegalArgumentException("actor must not be blank");
    }
    if (isBlank(action.reason())) {
      throw new IllegalArgumentException("reason must not be blank");
    }
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }
}
