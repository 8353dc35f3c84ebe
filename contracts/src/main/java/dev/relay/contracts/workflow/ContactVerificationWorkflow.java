package dev.relay.contracts.workflow;

import dev.relay.contracts.activities.CodeDispatch;
import dev.relay.contracts.activities.VerificationSend;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Texts the one-time code of one contact verification (the API starts it, the worker owns
 * Twilio). One activity, a handful of events; its input names only the tenant and the
 * verification, and the code never leaves the activity (only its keyed hash reaches the
 * database), so nothing secret is in history even before the codec seals it.
 */
@WorkflowInterface
public interface ContactVerificationWorkflow {

  /** One workflow per verification: a repeated start cannot text the code twice. */
  static String workflowId(String verificationId) {
    return "contact-verification-" + verificationId;
  }

  @WorkflowMethod
  CodeDispatch sendCode(VerificationSend request);
}
