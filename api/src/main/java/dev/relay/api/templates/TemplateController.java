package dev.relay.api.templates;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;
import dev.relay.api.auth.Allowed;
import dev.relay.api.deliveries.Ids;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.store.template.Template;
import dev.relay.store.template.TemplateRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/v1/templates", produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.CLIENT)
@Tag(name = "Templates")
public class TemplateController {
  private final TemplateRepository templates;

  public TemplateController(TemplateRepository templates) {
    this.templates = templates;
  }

  /** A template; {@code version} goes up on every change. */
  public record TemplateView(String id, int version, @Nullable String subject,
      @Nullable String htmlBody, @Nullable String textBody, @Nullable String smsBody,
      Instant updatedAt) {
    static TemplateView of(Template t) {
      return new TemplateView(t.id(), t.version(), t.subject(), t.htmlBody(), t.textBody(),
          t.smsBody(), t.updatedAt());
    }
  }

  @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(operationId = "putTemplate", summary = "Create or replace a Mustache template",
      description = "400 names the field and line of a template that does not compile, and a "
          + "tag Relay's dialect refuses (partials, parents, blocks).")
  @ApiResponse(responseCode = "200", description = "The template as stored (version goes up)")
  public TemplateView put(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The template's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id,
      @RequestBody TemplateRequest body) {
    Checks checks = new Checks();
    checks.matches("id", id, Ids.ID, Ids.ID_DESCRIPTION);
    body.validate(checks);
    checks.throwIfAny();
    return TemplateView.of(templates.upsert(caller.tenantId(), id, blankToNull(body.subject()),
        blankToNull(body.htmlBody()), blankToNull(body.textBody()), blankToNull(body.smsBody())));
  }

  @GetMapping("/{id}")
  @Operation(operationId = "getTemplate", summary = "A template")
  @ApiResponse(responseCode = "200", description = "The template")
  @ApiResponse(responseCode = "404", description = "No such template for this tenant")
  public TemplateView get(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The template's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id) {
    return templates.find(caller.tenantId(), id).map(TemplateView::of)
        .orElseThrow(() -> ApiProblem.notFound("Template", id));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
