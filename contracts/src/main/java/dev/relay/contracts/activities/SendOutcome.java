package dev.relay.contracts.activities;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.relay.contracts.DeliveryErrorType;
import java.time.Duration;

/**
 * How one send try ended, as a result rather than an exception: a provider's refusal is a
 * business outcome the workflow decides on (next try, next channel), while only infrastructure
 * failures (Relay's own database down, a worker that died mid-call) are thrown and retried by
 * Temporal, which adds no history events however long the outage lasts.
 *
 * @param accepted the provider's acceptance, or null when the try failed
 * @param recorded the audit event written with the acceptance (see {@link AcceptRecord}), or null
 * @param failureType PROVIDER_UNAVAILABLE (another try may help) or a permanent type
 * @param failure what went wrong, naming the provider
 * @param retryAfter when a provider will take calls again (an open breaker), else zero
 */
public record SendOutcome(
    SendResult accepted,
    AuditEvent recorded,
    DeliveryErrorType failureType,
    String failure,
    Duration retryAfter) {

  public static SendOutcome accepted(SendResult result, AuditEvent recorded) {
    return new SendOutcome(result, recorded, null, null, Duration.ZERO);
  }

  public static SendOutcome failed(DeliveryErrorType type, String failure, Duration retryAfter) {
    return new SendOutcome(null, null, type, failure, retryAfter == null ? Duration.ZERO : retryAfter);
  }

  @JsonIgnore // derived, not data: kept out of the payload
  public boolean isAccepted() {
    return accepted != null;
  }

  /** A failure more tries cannot help. */
  public boolean permanent() {
    return failureType != null && !failureType.retryable();
  }
}
