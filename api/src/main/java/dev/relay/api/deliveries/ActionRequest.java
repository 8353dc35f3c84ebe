package dev.relay.api.deliveries;

import dev.relay.api.problems.Checks;
import dev.relay.contracts.Channel;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import io.swagger.v3.oas.annotations.media.Schema;

/** The body of {@code POST /v1/deliveries/{id}/actions}. */
@Schema(description = "A support action on a delivery. `channel` is required with REROUTE and "
    + "refused with any other action; `evidence` is required with MARK_DELIVERED",
    additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record ActionRequest(
    @Schema(allowableValues = {"RETRY", "REROUTE", "CANCEL", "MARK_DELIVERED"},
        requiredMode = Schema.RequiredMode.REQUIRED) String action,
    @Schema(description = "REROUTE only: the channel to use instead", allowableValues = {"EMAIL", "SMS"})
    String channel,
    @Schema(description = "Why; recorded in the audit trail", requiredMode = Schema.RequiredMode.REQUIRED,
        pattern = Checks.TEXT_REGEX, maxLength = 1000)
    String reason,
    @Schema(description = "MARK_DELIVERED: what proves the recipient got it (required there)",
        maxLength = 2000) String evidence) {

  public enum Action {
    RETRY(DeliveryWorkflow.UPDATE_RETRY),
    REROUTE(DeliveryWorkflow.UPDATE_REROUTE),
    CANCEL(DeliveryWorkflow.UPDATE_CANCEL),
    MARK_DELIVERED(DeliveryWorkflow.UPDATE_MARK_DELIVERED);

    private final String updateName;

    Action(String updateName) {
      this.updateName = updateName;
    }

    public String updateName() {
      return updateName;
    }
  }

  public record Valid(Action action, Channel channel, String reason, String evidence) {}

  public Valid validate(Checks checks) {
    Action parsed = null;
    if (checks.required("action", action)) {
      for (Action a : Action.values()) {
        if (a.name().equals(action)) {
          parsed = a;
        }
      }
      if (parsed == null) {
        checks.add("action", "must be one of RETRY, REROUTE, CANCEL, MARK_DELIVERED");
      }
    }
    if (checks.required("reason", reason)) {
      checks.maxLength("reason", reason, 1000);
    }
    Channel parsedChannel = null;
    if (channel != null) {
      parsedChannel = CreateDeliveryRequest.parseChannel(channel);
      if (parsedChannel == null) {
        checks.add("channel", "must be one of EMAIL, SMS");
      } else if (parsed != null && parsed != Action.REROUTE) {
        checks.add("channel", "is only used by REROUTE");
      }
    } else if (parsed == Action.REROUTE) {
      checks.add("channel", "is required for REROUTE");
    }
    if (parsed == Action.MARK_DELIVERED && !Checks.hasText(evidence)) {
      checks.add("evidence", "is required for MARK_DELIVERED");
    }
    checks.maxLength("evidence", evidence, 2000);
    return new Valid(parsed, parsedChannel, reason, evidence);
  }
}
