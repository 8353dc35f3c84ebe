package dev.relay.workflows;

import dev.relay.contracts.DeliveryErrorType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.CancellationScope;
import java.time.Duration;

/** How the workflow reads a failed activity. */
final class Failures {

  private Failures() {}

  /** A cancel or the deadline shows up as a failed activity: let it end the processing. */
  static void rethrowIfStopping(ActivityFailure e) {
    if (CancellationScope.current().isCancelRequested()) {
      throw e;
    }
  }

  /** PROVIDER_REJECTED, or any other non-retryable failure: more tries cannot help. */
  static boolean isPermanent(ActivityFailure e) {
    if (!(e.getCause() instanceof ApplicationFailure failure)) {
      return false;
    }
    DeliveryErrorType type = DeliveryErrorType.fromType(failure.getType());
    return failure.isNonRetryable() || (type != null && !type.retryable());
  }

  static boolean isStoreUnavailable(ActivityFailure e) {
    return e.getCause() instanceof ApplicationFailure af
        && DeliveryErrorType.STORE_UNAVAILABLE.name().equals(af.getType());
  }

  static Duration retryHint(ActivityFailure e) {
    if (e.getCause() instanceof ApplicationFailure af && af.getNextRetryDelay() != null) {
      return af.getNextRetryDelay();
    }
    return Duration.ZERO;
  }

  static String describe(ActivityFailure e) {
    Throwable cause = e.getCause();
    if (cause instanceof ApplicationFailure failure) {
      return failure.getType() + ": " + failure.getOriginalMessage();
    }
    if (cause instanceof TimeoutFailure timeout) {
      return "timeout (" + timeout.getTimeoutType() + ")";
    }
    return cause != null ? cause.getMessage() : e.getMessage();
  }
}
