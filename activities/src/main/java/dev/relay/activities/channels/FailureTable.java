package dev.relay.activities.channels;

import dev.relay.contracts.DeliveryErrorType;
import java.util.List;
import java.util.function.Predicate;

/**
 * A provider's error classification as an ordered table: the first row whose condition holds
 * decides the error type and whether the provider may have accepted the message anyway. Each
 * provider keeps its whole table in one place.
 *
 * @param <F> what is known about one failure (reply code, HTTP status, the exception)
 */
public final class FailureTable<F> {

  /** Whether the provider could have taken the message despite the error. */
  public enum Acceptance {
    /** The provider answered with a refusal, or we never reached it: safe to send again. */
    NOT_ACCEPTED,
    /** No answer after the request went out: the next try must assume it may have arrived. */
    MAYBE_ACCEPTED
  }

  public record Row<F>(String when, Predicate<F> matches, DeliveryErrorType type,
      Acceptance acceptance) {

    public SendFailure failure(String message, Throwable cause) {
      return new SendFailure(type, acceptance == Acceptance.MAYBE_ACCEPTED,
          message + " (" + when + ")", cause);
    }
  }

  private final List<Row<F>> rows;
  private final Row<F> otherwise;

  private FailureTable(List<Row<F>> rows, Row<F> otherwise) {
    this.rows = List.copyOf(rows);
    this.otherwise = otherwise;
  }

  public static <F> Row<F> row(String when, Predicate<F> matches, DeliveryErrorType type,
      Acceptance acceptance) {
    return new Row<>(when, matches, type, acceptance);
  }

  /** The table: {@code rows} in order, then {@code otherwise} for anything they miss. */
  public static <F> FailureTable<F> of(List<Row<F>> rows, String otherwiseWhen,
      DeliveryErrorType otherwiseType, Acceptance otherwiseAcceptance) {
    return new FailureTable<>(rows,
        new Row<>(otherwiseWhen, f -> true, otherwiseType, otherwiseAcceptance));
  }

  public Row<F> classify(F fact) {
    for (Row<F> row : rows) {
      if (row.matches().test(fact)) {
        return row;
      }
    }
    return otherwise;
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
