package dev.relay.api.settings;

import dev.relay.api.auth.Allowed;
import dev.relay.api.deliveries.Ids;
import dev.relay.api.problems.Checks;
import dev.relay.store.consent.PurposeRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Which purposes are non-essential: their emails carry one-click unsubscribe headers. Admins
 * only; a change is audited. Purposes not listed are essential.
 */
@RestController
@RequestMapping(path = "/v1/settings/purposes", produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.ADMIN)
@Tag(name = "Settings")
public class PurposeController {
  private final PurposeRepository purposes;

  public PurposeController(PurposeRepository purposes) {
    this.purposes = purposes;
  }

  @Schema(additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  public record PurposeRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED,
      description = "false for marketing-like purposes: their emails offer one-click "
          + "unsubscribe (RFC 8058); true (the default for unlisted purposes) for invoices, "
          + "notices, results") Boolean essential) {}

  public record PurposeList(List<PurposeRepository.PurposeSetting> purposes) {}

  @GetMapping
  @Operation(operationId = "listPurposeSettings", summary = "Purposes marked essential or not")
  public PurposeList list(@Parameter(hidden = true) ApiKeyPrincipal caller) {
    return new PurposeList(purposes.list(caller.tenantId()));
  }

  @PutMapping(path = "/{purpose}", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(operationId = "setPurposeSetting", summary = "Mark a purpose essential or not")
  public PurposeRepository.PurposeSetting put(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The purpose", schema = @Schema(type = "string",
          pattern = Ids.PURPOSE_REGEX, maxLength = 64)) @PathVariable String purpose,
      @RequestBody PurposeRequest body) {
    Checks checks = new Checks();
    checks.matches("purpose", purpose, Ids.PURPOSE, Ids.PURPOSE_DESCRIPTION);
    checks.required("essential", body == null ? null : body.essential());
    checks.throwIfAny();
    return purposes.set(caller.tenantId(), purpose, body.essential(),
        "admin:" + caller.name());
  }
}
