package dev.relay.contracts.workflow;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One delivery to one recipient: verify, check consent, prepare, send, await receipt, record.
 * Support actions are Updates with validators, so the API, the Temporal Web UI and the
 * {@code temporal} CLI can all use them, and an action that makes no sense in the current state
 * is rejected before it touches history.
 */
@WorkflowInterface
public interface DeliveryWorkflow {

  String UPDATE_RETRY = "retry";
  String UPDATE_REROUTE = "reroute";
  String UPDATE_CANCEL = "cancel";
  String UPDATE_MARK_DELIVERED = "markDelivered";
  String SIGNAL_RECEIPT = "receipt";
  String QUERY_STATUS = "status";

  @WorkflowMethod
  DeliveryView deliver(DeliveryRequest request);

  @QueryMethod(name = QUERY_STATUS)
  DeliveryView status();

  @SignalMethod(name = SIGNAL_RECEIPT)
  void receipt(ProviderReceipt receipt);

  /** Try the last channel again. Valid in {@code NEEDS_ATTENTION}. */
  @UpdateMethod(name = UPDATE_RETRY)
  DeliveryView retry(SupportAction action);

  @UpdateValidatorMethod(updateName = UPDATE_RETRY)
  void validateRetry(SupportAction action);

  /** Send over {@code action.channel()} instead; consent is still checked. Valid in {@code NEEDS_ATTENTION}. */
  @UpdateMethod(name = UPDATE_REROUTE)
  DeliveryView reroute(SupportAction action);

  @UpdateValidatorMethod(updateName = UPDATE_REROUTE)
  void validateReroute(SupportAction action);

  /** Stop the delivery. Valid in any non-final state. */
  @UpdateMethod(name = UPDATE_CANCEL)
  DeliveryView cancel(SupportAction action);

  @UpdateValidatorMethod(updateName = UPDATE_CANCEL)
  void validateCancel(SupportAction action);

  /** Record delivery proven out of band ({@code action.evidence()}). Valid in {@code NEEDS_ATTENTION} and {@code AWAITING_RECEIPT}. */
  @UpdateMethod(name = UPDATE_MARK_DELIVERED)
  DeliveryView markDelivered(SupportAction action);

  @UpdateValidatorMethod(updateName = UPDATE_MARK_DELIVERED)
  void validateMarkDelivered(SupportAction action);
}
