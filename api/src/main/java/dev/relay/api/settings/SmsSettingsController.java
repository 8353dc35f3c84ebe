package dev.relay.api.settings;

import dev.relay.api.auth.Allowed;
import dev.relay.api.config.SmsGuardProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.api.problems.DurationText;
import dev.relay.api.problems.FieldProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.guard.sms.SmsDestinations;
import dev.relay.store.sms.SmsGuardRepository;
import dev.relay.store.sms.SmsPause;
import dev.relay.store.sms.SmsPolicy;
import dev.relay.store.sms.SmsSettings;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import jakarta.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The tenant's SMS-pumping defence: country allowlist, segment cap, velocity limits, whether
 * numbers must be verified by Relay, and the pause a burst sets. Admins only; every change is
 * audited (steps {@code sms-settings}, {@code sms-pause}).
 */
@RestController
@RequestMapping(path = "/v1/settings/sms", produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.ADMIN)
@Tag(name = "Settings")
public class SmsSettingsController {
  private static final Logger log = LoggerFactory.getLogger(SmsSettingsController.class);

  private final SmsGuardRepository repository;
  private final SmsGuardProperties defaults;

  public SmsSettingsController(SmsGuardRepository repository, SmsGuardProperties defaults) {
    this.repository = repository;
    this.defaults = defaults;
  }

  /**
   * The body of a PUT: an absent field goes back to the configured default
   * ({@code relay.sms-guard.*}); durations are ISO 8601 ({@code PT1H}).
   */
  @Schema(name = "SmsSettingsRequest",
      additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  public record SmsSettingsBody(
      @ArraySchema(maxItems = 300, arraySchema = @Schema(description = "ISO 3166 region codes "
          + "SMS may go to, upper case; [] = every region", example = "[\"GB\",\"IE\"]"),
          schema = @Schema(type = "string")) List<String> allowedRegions,
      @Schema(minimum = "1", maximum = "10") Integer maxSegments,
      @Schema(minimum = "0", maximum = "1000000", description = "SMS per number per "
          + "recipientWindow; 0 = off") Integer recipientLimit,
      @Schema(example = "PT1H", pattern = DurationText.REGEX, description = "PT1S to P7D, else "
          + "422") String recipientWindow,
      @Schema(minimum = "0", maximum = "1000000", description = "SMS per number prefix per "
          + "prefixWindow before the tenant's SMS is paused; 0 = off") Integer prefixLimit,
      @Schema(example = "PT10M", pattern = DurationText.REGEX, description = "PT1S to P7D, else "
          + "422") String prefixWindow,
      @Schema(minimum = "2", maximum = "15", description = "digits of the "
          + "prefix, country code included") Integer prefixDigits,
      @Schema(description = "refuse SMS to numbers only the tenant attests "
          + "(verified: true); only numbers Relay verified get SMS") Boolean
          smsRequiresRelayVerification) {}

  /** The settings as GET shows them: null where the tenant left the default. */
  public record SmsSettingsValues(
      @Nullable List<String> allowedRegions, @Nullable Integer maxSegments,
      @Nullable Integer recipientLimit, @Nullable String recipientWindow,
      @Nullable Integer prefixLimit, @Nullable String prefixWindow,
      @Nullable Integer prefixDigits, @Nullable Boolean smsRequiresRelayVerification) {}

  /** What GET and PUT answer: what the tenant set, and what applies (defaults filled in). */
  public record SmsSettingsView(SmsSettingsValues settings, SmsSettingsValues effective,
      @Nullable PauseView pause) {}

  public record PauseView(Instant pausedAt, String prefix, String reason) {
    static PauseView of(SmsPause p) {
      return new PauseView(p.pausedAt(), p.prefix(), p.reason());
    }
  }

  /** Why an admin lifts a pause (kept in the audit trail). */
  @Schema(name = "LiftSmsPauseRequest",
      additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  public record LiftRequest(
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "burst was a real "
          + "campaign to Irish customers (ticket 812)", maxLength = 500,
          pattern = Checks.TEXT_REGEX) String reason) {}

  @GetMapping
  @Operation(operationId = "getSmsSettings", summary = "The tenant's SMS-pumping defence: what "
      + "it set, what applies, and whether its SMS is paused")
  public SmsSettingsView get(@Parameter(hidden = true) ApiKeyPrincipal caller) {
    return view(caller.tenantId(), repository.settings(caller.tenantId()));
  }

  @PutMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(operationId = "putSmsSettings", summary = "Replace the tenant's SMS settings "
      + "(audited)", description = "Absent fields go back to the configured default. "
          + "400 naming the field for an unknown region, a limit out of range or a duration "
          + "that is not ISO 8601; 422 for a window outside PT1S to P7D. Does not lift a pause "
          + "(POST /v1/settings/sms/pause/lift).")
  @ApiResponse(responseCode = "200", description = "The settings as they now apply")
  @ApiResponse(responseCode = "422", description = "A window outside PT1S to P7D")
  public SmsSettingsView put(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @RequestBody SmsSettingsBody body) {
    if (body == null) {
      throw ApiProblem.validation("body", "is required");
    }
    Checks checks = new Checks();
    Set<String> regions = null;
    if (body.allowedRegions() != null) {
      if (body.allowedRegions().size() > 300) {
        checks.add("allowedRegions", "must list at most 300 regions");
      }
      Set<String> known = Set.copyOf(SmsDestinations.supportedRegions());
      for (int i = 0; i < body.allowedRegions().size(); i++) {
        String region = body.allowedRegions().get(i);
        // Exactly as the document's enum spells them: upper case, no spaces.
        if (region == null || !known.contains(region)) {
          checks.add("allowedRegions[" + i + "]", "'" + region + "' is not an ISO 3166 region "
              + "code with phone numbers, in upper case (such as US, GB, DE)");
        }
      }
      if (checks.ok()) {
        regions = SmsDestinations.normalizeRegions(body.allowedRegions());
      }
    }
    range(checks, "maxSegments", body.maxSegments(), 1, 10);
    range(checks, "recipientLimit", body.recipientLimit(), 0, 1_000_000);
    range(checks, "prefixLimit", body.prefixLimit(), 0, 1_000_000);
    range(checks, "prefixDigits", body.prefixDigits(), 2, 15);
    Duration recipientWindow = DurationText.parse(checks, "recipientWindow",
        body.recipientWindow());
    Duration prefixWindow = DurationText.parse(checks, "prefixWindow", body.prefixWindow());
    checks.throwIfAny();
    requireWindow("recipientWindow", recipientWindow);
    requireWindow("prefixWindow", prefixWindow);
    String actor = caller.role().dbValue() + ":" + caller.name();
    SmsSettings saved = repository.save(caller.tenantId(), new SmsSettings(regions,
        body.maxSegments(), body.recipientLimit(), recipientWindow, body.prefixLimit(),
        prefixWindow, body.prefixDigits(), body.smsRequiresRelayVerification()), actor);
    log.info("SMS settings of tenant {} changed by {}", caller.tenantId(), actor);
    return view(caller.tenantId(), saved);
  }

  @GetMapping("/pause")
  @Operation(operationId = "getSmsPause", summary = "Whether the tenant's SMS is paused, since "
      + "when and why", description = "404 when it is not paused.")
  @ApiResponse(responseCode = "200", description = "The pause")
  @ApiResponse(responseCode = "404", description = "The tenant's SMS is not paused")
  public PauseView pause(@Parameter(hidden = true) ApiKeyPrincipal caller) {
    return repository.pause(caller.tenantId()).map(PauseView::of)
        .orElseThrow(() -> ApiProblem.notFound("SMS pause of tenant", caller.tenantId()));
  }

  @PostMapping(path = "/pause/lift", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(operationId = "liftSmsPause", summary = "Resume the tenant's SMS after a pause "
      + "(audited with the reason)", description = "Deliveries the pause stopped wait in "
          + "NEEDS_ATTENTION: support retries them. 404 when the SMS is not paused.")
  @ApiResponse(responseCode = "200", description = "The pause that was lifted")
  @ApiResponse(responseCode = "404", description = "The tenant's SMS is not paused")
  public PauseView lift(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @RequestBody LiftRequest body) {
    Checks checks = new Checks();
    if (checks.required("reason", body == null ? null : body.reason())) {
      checks.maxLength("reason", body.reason(), 500);
    }
    checks.throwIfAny();
    String actor = caller.role().dbValue() + ":" + caller.name();
    SmsPause lifted = repository.lift(caller.tenantId(), actor, body.reason().strip())
        .orElseThrow(() -> ApiProblem.notFound("SMS pause of tenant", caller.tenantId()));
    log.warn("SMS of tenant {} resumed by {} (paused since {}, prefix {}): {}",
        caller.tenantId(), actor, lifted.pausedAt(), lifted.prefix(), body.reason().strip());
    return PauseView.of(lifted);
  }

  private SmsSettingsView view(String tenantId, SmsSettings s) {
    SmsPolicy effective = defaults.policy().with(s);
    return new SmsSettingsView(
        new SmsSettingsValues(s.allowedRegions() == null ? null : List.copyOf(s.allowedRegions()),
            s.maxSegments(), s.recipientLimit(), iso(s.recipientWindow()), s.prefixLimit(),
            iso(s.prefixWindow()), s.prefixDigits(), s.requiresRelayVerification()),
        new SmsSettingsValues(List.copyOf(effective.allowedRegions().stream().sorted().toList()),
            effective.maxSegments(), effective.recipientLimit(), iso(effective.recipientWindow()),
            effective.prefixLimit(), iso(effective.prefixWindow()), effective.prefixDigits(),
            effective.requiresRelayVerification()),
        repository.pause(tenantId).map(PauseView::of).orElse(null));
  }

  private static void range(Checks checks, String field, Integer value, int min, int max) {
    if (value != null && (value < min || value > max)) {
      checks.add(field, "must be between " + min + " and " + max);
    }
  }

  /** A well-formed window outside PT1S..P7D: 422, naming the field. */
  private static void requireWindow(String field, Duration d) {
    if (d != null && (d.toSeconds() < 1 || d.compareTo(Duration.ofDays(7)) > 0)) {
      throw new ApiProblem(ProblemType.UNPROCESSABLE_VALUE, field + " " + d
          + " is outside PT1S to P7D", List.of(new FieldProblem(field,
              "must be between PT1S and P7D")), org.springframework.http.HttpHeaders.EMPTY);
    }
  }

  private static String iso(Duration d) {
    return d == null ? null : d.toString();
  }
}
