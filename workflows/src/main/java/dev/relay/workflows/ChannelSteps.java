package dev.relay.workflows;

import dev.relay.contracts.Channel;
import dev.relay.contracts.activities.AcceptRecord;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.ConsentDecision;
import dev.relay.contracts.activities.IdentityCheck;
import dev.relay.contracts.activities.PreparedPayload;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.contracts.activities.SendResult;
import java.time.Duration;

/**
 * The activities one channel needs, behind one seam: the round ({@link SendRound}) decides and
 * records the same way whichever implementation answers. {@link LeanChannelSteps} asks one
 * activity for identity, consent and payload and gets send refusals as results;
 * {@link LegacyChannelSteps} replays the histories of workflows started before that.
 *
 * <p>Calls come in this order for one channel: identity, then consent, then payload, then sends.
 * Each throws {@link io.temporal.failure.ActivityFailure} when its activity failed for good.
 */
interface ChannelSteps {

  IdentityCheck identity(Channel channel);

  ConsentDecision consent(Channel channel);

  /** The rendered payload, or the permanent reason it cannot be rendered. */
  PayloadStep payload(Channel channel);

  /**
   * One send try. {@code onAccept} (lean only, else null) is what the send records itself when
   * the provider takes the message.
   */
  TryOutcome send(SendRequest request, AcceptRecord onAccept);

  /** A rendered payload, or {@code problem} ("TYPE: message") when it cannot be. */
  record PayloadStep(PreparedPayload payload, String problem) {}

  /**
   * How a try ended.
   *
   * @param accepted the provider's acceptance, else null
   * @param written the audit event the send wrote with the acceptance (lean), else null
   * @param problem what went wrong ("TYPE: message")
   * @param permanent more tries cannot help
   * @param storeUnavailable Relay's database was down, no provider called (legacy only: the lean
   *     send leaves that to Temporal's retries)
   * @param retryHint the earliest moment another try can help
   */
  record TryOutcome(SendResult accepted, AuditEvent written, String problem, boolean permanent,
      boolean storeUnavailable, Duration retryHint) {

    static TryOutcome accepted(SendResult result, AuditEvent written) {
      return new TryOutcome(result, written, null, false, false, Duration.ZERO);
    }

    static TryOutcome failed(String problem, boolean permanent, Duration retryHint) {
      return new TryOutcome(null, null, problem, permanent, false,
          retryHint == null ? Duration.ZERO : retryHint);
    }

    static TryOutcome storeDown(String problem) {
      return new TryOutcome(null, null, problem, false, true, Duration.ZERO);
    }
  }
}
