package dev.relay.api.recipients;

import dev.relay.api.auth.Allowed;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.recipient.Recipient;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.recipient.Suppression;
import dev.relay.store.recipient.SuppressionRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import dev.relay.api.deliveries.Ids;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Server-owned suppressions of a recipient's contact points (hard bounces, STOP replies, invalid
 * numbers): readable by the client, liftable only by support, with a reason, audited.
 */
@RestController
@RequestMapping(path = "/v1/recipients/{id}/suppressions", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Recipients and consent")
public class SuppressionController {
  private final RecipientRepository recipients;
  private final SuppressionRepository suppressions;

  public SuppressionController(RecipientRepository recipients,
      SuppressionRepository suppressions) {
    this.recipients = recipients;
    this.suppressions = suppressions;
  }

  public record SuppressionView(String channel, String address,
      @Schema(allowableValues = {"HARD_BOUNCE", "STOP", "INVALID_NUMBER", "COMPLAINT"}) String reason,
      @Schema(nullable = true, description = "the provider's code") String detail,
      @Schema(nullable = true) String deliveryId, Instant createdAt,
      @Schema(nullable = true) Instant liftedAt, @Schema(nullable = true) String liftedBy,
      @Schema(nullable = true) String liftReason) {
    static SuppressionView of(Suppression s) {
      return new SuppressionView(s.channel(), s.address(), s.reason().name(), s.detail(),
          s.deliveryId(), s.createdAt(), s.clearedAt(), s.clearedBy(), s.clearReason());
    }
  }

  public record SuppressionList(List<SuppressionView> suppressions) {}

  /** The body of a lift: why support decided the contact point may be used again. */
  @Schema(name = "LiftSuppressionRequest",
      additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  public record LiftRequest(
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "customer confirmed the "
          + "mailbox works again (ticket 4711)", maxLength = 500, pattern = Checks.TEXT_REGEX)
      String reason) {}

  @GetMapping
  @Allowed({Role.CLIENT, Role.SUPPORT})
  @Operation(operationId = "listSuppressions", summary = "Suppressions of the recipient's "
      + "contact points, active and lifted, newest first")
  @ApiResponse(responseCode = "200", description = "The suppressions")
  @ApiResponse(responseCode = "404", description = "No such recipient for this tenant")
  public SuppressionList list(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id) {
    Recipient recipient = recipients.find(caller.tenantId(), id)
        .orElseThrow(() -> ApiProblem.notFound("Recipient", id));
    List<String> addresses = recipient.contacts().stream().map(ContactPoint::address).toList();
    return new SuppressionList(addresses.isEmpty() ? List.of()
        : suppressions.history(caller.tenantId(), addresses).stream()
            .map(SuppressionView::of).toList());
  }

  @PostMapping(path = "/{channel}/lift", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Allowed(Role.SUPPORT)
  @Operation(operationId = "liftSuppression", summary = "Lift the active suppression of a "
      + "contact point (support; audited with the reason)",
      description = "404 when the recipient, its contact point on that channel or an active "
          + "suppression of it does not exist.")
  @ApiResponse(responseCode = "200", description = "The suppression, lifted")
  @ApiResponse(responseCode = "404", description = "No such recipient, contact point or active "
      + "suppression")
  public SuppressionView lift(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id,
      @Parameter(description = "The contact point's channel", schema = @Schema(type = "string",
          allowableValues = {"EMAIL", "SMS"})) @PathVariable String channel,
      @RequestBody LiftRequest body) {
    Checks checks = new Checks();
    String ch = channel;
    if (!ch.equals("EMAIL") && !ch.equals("SMS")) {
      checks.add("channel", "must be EMAIL or SMS");
    }
    if (checks.required("reason", body == null ? null : body.reason())) {
      checks.maxLength("reason", body.reason(), 500);
    }
    checks.throwIfAny();
    Recipient recipient = recipients.find(caller.tenantId(), id)
        .orElseThrow(() -> ApiProblem.notFound("Recipient", id));
    ContactPoint point = recipient.contact(ch)
        .orElseThrow(() -> ApiProblem.notFound(ch + " contact point of recipient", id));
    String actor = caller.role().dbValue() + ":" + caller.name();
    return suppressions.clear(caller.tenantId(), ch, point.address(), actor,
            body.reason().strip(), id)
        .map(SuppressionView::of)
        .orElseThrow(() -> ApiProblem.notFound("Active suppression of the " + ch
            + " contact point of recipient", id));
  }
}
