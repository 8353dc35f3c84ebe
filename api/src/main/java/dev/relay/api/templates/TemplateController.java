package dev.relay.api.templates;

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
  public record TemplateView(String id, int version, String subject, String htmlBody,
      String textBody, String smsBody, Instant updatedAt) {
    static TemplateView of(Template t) {
      return new TemplateView(t.id(), t.version(), t.subject(), t.htmlBody(), t.textBody(),
          t.smsBody(), t.updatedAt());
    }
  }

  @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Create or replace a Mustache template",
      description = "400 names the field and line of a template that does not compile.")
  public TemplateView put(@Parameter(hidden = true) ApiKeyPrincipal caller, @PathVariable String id,
      @RequestBody TemplateRequest body) {
    Checks checks = new Checks();
    checks.matches("id", id, Ids.ID, Ids.ID_DESCRIPTION);
    body.validate(checks);
    checks.throwIfAny();
    return TemplateView.of(templates.upsert(caller.tenantId(), id, blankToNull(body.subject()),
        blankToNull(body.htmlBody()), blankToNull(body.textBody()), blankToNull(body.smsBody())));
  }

  @GetMapping("/{id}")
  @Operation(summary = "A template")
  public TemplateView get(@Parameter(hidden = true) ApiKeyPrincipal caller, @PathVariable String id) {
    return templates.find(caller.tenantId(), id).map(TemplateView::of)
        .orElseThrow(() -> ApiProblem.notFound("Template", id));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
