package dev.relay.api.recipients;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.relay.api.auth.Allowed;
import dev.relay.api.deliveries.Ids;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.store.consent.ConsentRepository;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/v1/recipients", produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.CLIENT)
@Tag(name = "Recipients and consent")
public class RecipientController {
  private final RecipientRepository recipients;
  private final ConsentRepository consents;

  public RecipientController(RecipientRepository recipients, ConsentRepository consents) {
    this.recipients = recipients;
    this.consents = consents;
  }

  @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(operationId = "putRecipient", summary = "Create or replace a recipient and its contact points")
  @ApiResponse(responseCode = "200", description = "The recipient as stored")
  public RecipientViews.RecipientView put(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id, @RequestBody RecipientRequest body) {
    Checks checks = new Checks();
    checks.matches("id", id, Ids.ID, Ids.ID_DESCRIPTION);
    List<ContactPoint> contacts = body.validate(checks);
    checks.throwIfAny();
    return RecipientViews.RecipientView.of(recipients.upsert(caller.tenantId(), id,
        body.displayName(), body.active() == null || body.active(), contacts));
  }

  @GetMapping("/{id}")
  @Operation(operationId = "getRecipient", summary = "A recipient and its contact points")
  @ApiResponse(responseCode = "200", description = "The recipient")
  @ApiResponse(responseCode = "404", description = "No such recipient for this tenant")
  public RecipientViews.RecipientView get(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id) {
    return recipients.find(caller.tenantId(), id).map(RecipientViews.RecipientView::of)
        .orElseThrow(() -> ApiProblem.notFound("Recipient", id));
  }

  @PutMapping(path = "/{id}/consents/{purpose}", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(operationId = "putConsent", summary = "Record a new consent version for a purpose",
      description = "Append-only: returns the new version; earlier versions stay in the history.")
  @ApiResponse(responseCode = "200", description = "The new consent version")
  @ApiResponse(responseCode = "404", description = "No such recipient for this tenant")
  public RecipientViews.ConsentVersion putConsent(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id,
      @Parameter(description = "The purpose consent is given for", schema = @Schema(type = "string", pattern = Ids.PURPOSE_REGEX, maxLength = 64)) @PathVariable String purpose, @RequestBody ConsentRequest body) {
    Checks checks = new Checks();
    checks.matches("purpose", purpose, Ids.PURPOSE, Ids.PURPOSE_DESCRIPTION);
    Map<String, Boolean> changes = body.validate(checks);
    checks.throwIfAny();
    requireRecipient(caller, id);
    var rows = consents.record(caller.tenantId(), id, purpose, changes, body.source(),
        body.evidence());
    return RecipientViews.ConsentVersion.of(rows).get(0);
  }

  @GetMapping("/{id}/consents/{purpose}")
  @Operation(operationId = "getConsent",
      summary = "The current consent for a purpose and its full history (newest first)")
  @ApiResponse(responseCode = "200", description = "The consent; `current` is null when none was ever given")
  @ApiResponse(responseCode = "404", description = "No such recipient for this tenant")
  public RecipientViews.ConsentState getConsent(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id,
      @Parameter(description = "The purpose consent is given for", schema = @Schema(type = "string", pattern = Ids.PURPOSE_REGEX, maxLength = 64)) @PathVariable String purpose) {
    Checks checks = new Checks();
    checks.matches("purpose", purpose, Ids.PURPOSE, Ids.PURPOSE_DESCRIPTION);
    checks.throwIfAny();
    requireRecipient(caller, id);
    List<RecipientViews.ConsentVersion> history =
        RecipientViews.ConsentVersion.of(consents.history(caller.tenantId(), id, purpose));
    return new RecipientViews.ConsentState(id, purpose, history.isEmpty() ? null : history.get(0),
        history);
  }

  private void requireRecipient(ApiKeyPrincipal caller, String id) {
    if (!recipients.exists(caller.tenantId(), id)) {
      throw ApiProblem.notFound("Recipient", id);
    }
  }
}
