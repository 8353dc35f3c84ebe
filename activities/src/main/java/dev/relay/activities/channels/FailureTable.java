package dev.relay.activities.channels;

import dev.relay.contracts.DeliveryErrorType;
import java.util.List;
import java.util.function.Predicate;

/**
 * A provider's error classification as an ordered table: the first row whose condition holds
 * decides what happens next ({@link Decision}) and whether the provider may have accepted the
 * message anyway ({@link Acceptance}). Each provider keeps its whole table in one place.
 *
 * @param <F> what is known about one failure (reply code, HTTP status, the exception, the stage)
 */
public final class FailureTable<F> {

  /** What the send does after this failure. */
  public enum Decision {
    /** Try the same provider again later (the workflow's next try, with backoff). */
    RETRY,
    /** The provider definitely did not take it: try the channel's next provider now. */
    FAILOVER,
    /** Refused for good; no provider and no later try will do better. */
    PERMANENT;

    public DeliveryErrorType type() {
      return this == PERMANENT
          ? DeliveryErrorType.PROVIDER_REJECTED
          : DeliveryErrorType.PROVIDER_UNAVAILABLE;
    }
  }

  /** Whether the provider could have taken the message despite the error. */
  public enum Acceptance {
    /** The provider answered with a refusal, or we never reached it: safe to send again. */
    NOT_ACCEPTED,
    /** No answer after the request went out: the next try must assume it may have arrived. */
    MAYBE_ACCEPTED
  }

  public record Row<F>(String when, Predicate<F> matches, Decision decision,
      Acceptance acceptance) {

    public Row {
      // A message that may already be at one provider is never handed to another: that is how
      // a recipient gets it twice. Such a try stays SENDING and is reconciled by the next try.
      if (acceptance == Acceptance.MAYBE_ACCEPTED && decision != Decision.RETRY) {
        throw new IllegalArgumentException(
            "row '" + when + "': a maybe-accepted failure can only be retried, not " + decision);
      }
    }

    public DeliveryErrorType type() {
      return decision.type();
    }

    public SendFailure failure(String message, Throwable cause) {
      return new SendFailure(decision, acceptance == Acceptance.MAYBE_ACCEPTED,
          message + " (" + when + ")", cause);
    }
  }

  private final List<Row<F>> rows;
  private final Row<F> otherwise;

  private FailureTable(List<Row<F>> rows, Row<F> otherwise) {
    this.rows = List.copyOf(rows);
    this.otherwise = otherwise;
  }

  public static <F> Row<F> row(String when, Predicate<F> matches, Decision decision,
      Acceptance acceptance) {
    return new Row<>(when, matches, decision, acceptance);
  }

  /** The table: {@code rows} in order, then {@code otherwise} for anything they miss. */
  public static <F> FailureTable<F> of(List<Row<F>> rows, String otherwiseWhen,
      Decision otherwiseDecision, Acceptance otherwiseAcceptance) {
    return new FailureTable<>(rows,
        new Row<>(otherwiseWhen, f -> true, otherwiseDecision, otherwiseAcceptance));
  }

  public Row<F> classify(F fact) {
    for (Row<F> row : rows) {
      if (row.matches().test(fact)) {
        return row;
      }
    }
    return otherwise;
  }

  /** The rows in order, the catch-all last (documentation and tests). */
  public List<Row<F>> rows() {
    return java.util.stream.Stream.concat(rows.stream(), java.util.stream.Stream.of(otherwise))
        .toList();
  }

  /** Whether {@code error} or anything in its cause chain is one of {@code types}. */
  @SafeVarargs
  public static boolean causedBy(Throwable error, Class<? extends Throwable>... types) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(t)) {
          return true;
        }
      }
    }
    return false;
  }
}
