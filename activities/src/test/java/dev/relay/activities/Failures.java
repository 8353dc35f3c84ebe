package dev.relay.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.relay.contracts.DeliveryErrorType;
import io.temporal.failure.ApplicationFailure;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the ApplicationFailures activities throw. */
public final class Failures {
  private Failures() {}

  /** Runs {@code call}, expects an ApplicationFailure of {@code type} and returns it. */
  public static ApplicationFailure expectFailure(DeliveryErrorType type, ThrowingCallable call) {
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call);
    assertThat(failure).as("expected %s", type).isNotNull();
    assertThat(failure.getType()).isEqualTo(type.name());
    assertThat(failure.isNonRetryable()).isEqualTo(!type.retryable());
    return failure;
  }
}
