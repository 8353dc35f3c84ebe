package dev.relay.api.recipients;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.relay.api.auth.Allowed;
import dev.relay.api.deliveries.Ids;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.config.SmsGuardProperties;
import dev.relay.api.problems.Checks;
import dev.relay.api.problems.FieldProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.guard.sms.SmsDestinations;
import dev.relay.store.sms.SmsGuardRepository;
import dev.relay.store.sms.SmsPolicy;
import dev.relay.store.consent.ConsentRepository;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.sealed.DataKeyRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/v1/recipients", produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.CLIENT)
@Tag(name = "Recipients and consent")
public class RecipientController {
  private static final java.util.regex.Pattern NO_NUL =
      java.util.regex.Pattern.compile(Checks.NO_NUL_REGEX);
  private static final Logger log = LoggerFactory.getLogger(RecipientController.class);
  private final RecipientRepository recipients;
  private final ConsentRepository consents;
  private final DataKeyRepository dataKeys;
  private final SmsGuardRepository smsGuard;
  private final SmsGuardProperties smsDefaults;

  public RecipientController(RecipientRepository recipients, ConsentRepository consents,
      DataKeyRepository dataKeys, SmsGuardRepository smsGuard, SmsGuardProperties smsDefaults) {
    this.recipients = recipients;
    this.consents = consents;
    this.dataKeys = dataKeys;
    this.smsGuard = smsGuard;
    this.smsDefaults = smsDefaults;
  }

  @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(operationId = "putRecipient", summary = "Create or replace a recipient and its contact points")
  @ApiResponse(responseCode = "200", description = "The recipient as stored")
  @ApiResponse(responseCode = "422", description = "`sms-destination-refused`: an SMS number "
      + "outside the tenant's country allowlist, or not a valid mobile number")
  public RecipientViews.RecipientView put(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id, @RequestBody RecipientRequest body) {
    Checks checks = new Checks();
    checks.matches("id", id, Ids.ID, Ids.ID_DESCRIPTION);
    List<ContactPoint> contacts = body.validate(checks);
    checks.throwIfAny();
    refuseSmsDestinations(caller.tenantId(), body, contacts);
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

  @DeleteMapping("/{id}/data-key")
  @Allowed(Role.ADMIN)
  @Operation(operationId = "eraseDataKey",
      summary = "Erase a recipient's sealed data by destroying their data keys",
      description = "Crypto-shredding (admin only, audited): the recipient's rendered payloads, "
          + "delivery request bodies and consent evidence can never be read again; consent "
          + "decisions and the audit trail stay. Idempotent. Data recorded afterwards gets a new "
          + "key; deactivate the recipient (PUT with active=false) to stop new deliveries.")
  @ApiResponse(responseCode = "200", description = "What was destroyed")
  @ApiResponse(responseCode = "404", description = "No such recipient for this tenant")
  public RecipientViews.Erasure eraseDataKey(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id,
      @Parameter(description = "why (kept in the audit trail), at most 500 characters",
          schema = @Schema(type = "string", maxLength = 500, pattern = Checks.NO_NUL_REGEX))
      @RequestParam(required = false) String reason) {
    Checks checks = new Checks();
    checks.matches("id", id, Ids.ID, Ids.ID_DESCRIPTION);
    checks.maxLength("reason", reason, 500);
    checks.matches("reason", reason, NO_NUL, "text without NUL (U+0000)");
    checks.throwIfAny();
    requireRecipient(caller, id);
    DataKeyRepository.Destruction d = dataKeys.destroyRecipientKeys(caller.tenantId(), id,
        caller.role().name().toLowerCase() + ":" + caller.name(), reason);
    log.info("recipient {} of tenant {} erased by {}: {} data key(s) destroyed", id,
        caller.tenantId(), caller.name(), d.keys());
    return new RecipientViews.Erasure(id, d.keys(), d.at());
  }

  /**
   * 422 sms-destination-refused when an SMS number is outside the tenant's country allowlist (or
   * not a valid, mobile-capable number of an allowed region), naming each field and region.
   */
  private void refuseSmsDestinations(String tenantId, RecipientRequest body,
      List<ContactPoint> contacts) {
    if (contacts.stream().noneMatch(c -> c.channel().equals("SMS"))) {
      return;
    }
    SmsPolicy policy = smsGuard.policy(tenantId, smsDefaults.policy());
    List<FieldProblem> refused = new ArrayList<>();
    List<String> regions = new ArrayList<>();
    for (int i = 0; i < body.contacts().size(); i++) {
      RecipientRequest.Contact c = body.contacts().get(i);
      if (c == null || !"SMS".equals(c.channel())) {
        continue;
      }
      SmsDestinations.Verdict verdict = SmsDestinations.check(c.address(), policy.allowedRegions());
      if (!verdict.allowed()) {
        refused.add(new FieldProblem("contacts[" + i + "].address", verdict.refusal()));
        regions.add(verdict.region());
      }
    }
    if (!refused.isEmpty()) {
      throw new ApiProblem(ProblemType.SMS_DESTINATION_REFUSED, "SMS to region(s) " + regions
          + " refused: this tenant sends SMS only to valid mobile numbers of "
          + policy.allowedRegions() + ". Use a number of an allowed region, or have an admin "
          + "add the region with PUT /v1/settings/sms (allowedRegions).", refused,
          org.springframework.http.HttpHeaders.EMPTY);
    }
  }

  private void requireRecipient(ApiKeyPrincipal caller, String id) {
    if (!recipients.exists(caller.tenantId(), id)) {
      throw ApiProblem.notFound("Recipient", id);
    }
  }
}
