package dev.relay.api.recipients;

import dev.relay.api.auth.Allowed;
import dev.relay.api.config.SmsGuardProperties;
import dev.relay.api.deliveries.Ids;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.api.problems.FieldProblem;
import dev.relay.api.problems.ProblemHandler;
import dev.relay.api.problems.ProblemType;
import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.activities.VerificationSend;
import dev.relay.contracts.workflow.ContactVerificationWorkflow;
import dev.relay.guard.sms.SmsDestinations;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.recipient.Recipient;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.sms.SmsGuardRepository;
import dev.relay.store.sms.SmsPolicy;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import dev.relay.store.verification.ContactVerification;
import dev.relay.store.verification.ContactVerificationRepository;
import dev.relay.store.verification.ContactVerificationRepository.Confirmation;
import dev.relay.store.verification.VerificationCodes;
import dev.relay.store.verification.VerificationLimits;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import jakarta.annotation.Nullable;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Relay's own verification of a recipient's SMS number (issue 9, item 3): Relay texts a one-time
 * code (through the worker, which owns Twilio and the SMS guard), the recipient gives it back
 * through the tenant's app, and the number becomes {@code "attestation": "relay"}, which a tenant
 * with {@code smsRequiresRelayVerification} demands before any SMS. Codes are short-lived, single
 * use and throttled (NIST SP 800-63B 5.1.3); every start and confirmation is audited, the code
 * never.
 */
@RestController
@RequestMapping(path = "/v1/recipients/{id}/contacts/SMS/verification",
    produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.CLIENT)
@Tag(name = "Recipients and consent")
public class ContactVerificationController {
  private static final Logger log = LoggerFactory.getLogger(ContactVerificationController.class);
  private static final String CHANNEL = "SMS";
  static final String CODE_REGEX = "^[0-9]{6}$";
  static final String VERIFICATION_ID_REGEX = "^ver-[0-9a-f-]{36}$";
  private static final Pattern CODE = Pattern.compile(CODE_REGEX);
  private static final Pattern VERIFICATION_ID = Pattern.compile(VERIFICATION_ID_REGEX);

  private final RecipientRepository recipients;
  private final ContactVerificationRepository verifications;
  private final VerificationCodes codes;
  private final SmsGuardRepository smsGuard;
  private final SmsGuardProperties smsDefaults;
  private final WorkflowClient workflows;

  public ContactVerificationController(RecipientRepository recipients,
      ContactVerificationRepository verifications, VerificationCodes codes,
      SmsGuardRepository smsGuard, SmsGuardProperties smsDefaults, WorkflowClient workflows) {
    this.recipients = recipients;
    this.verifications = verifications;
    this.codes = codes;
    this.smsGuard = smsGuard;
    this.smsDefaults = smsDefaults;
    this.workflows = workflows;
  }

  /** The body of a start: the number to verify, which must be the recipient's SMS number. */
  @Schema(additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  public record StartVerificationRequest(
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "+15551234567",
          pattern = RecipientRequest.E164_REGEX,
          description = "The recipient's SMS contact point, E.164, as stored on the recipient")
      String address) {}

  /** The body of a confirmation: which verification, and the code the recipient received. */
  @Schema(additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  public record ConfirmVerificationRequest(
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "ver-1b4e28ba-2fa1-11d2-"
          + "883f-0016d3cca427", pattern = VERIFICATION_ID_REGEX) String verificationId,
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "123456", pattern = CODE_REGEX,
          description = "The 6 digits of the text") String code) {}

  /**
   * A verification as the client sees it (no code, ever).
   *
   * @param state PENDING, SENDING, SENT, CONFIRMED, LOCKED, SUPERSEDED, FAILED or UNSENT
   * @param repeated this start answered an earlier one of the last minute (no second text)
   * @param failure why the code was not sent (FAILED: the SMS guard or Twilio refused it)
   */
  public record VerificationView(String verificationId, String recipientId,
      @Schema(allowableValues = {"SMS"}) String channel, String address,
      @Schema(allowableValues = {"PENDING", "SENDING", "SENT", "CONFIRMED", "LOCKED",
          "SUPERSEDED", "FAILED", "UNSENT"}) String state,
      int attemptsLeft, Instant createdAt, Instant expiresAt,
      @Nullable Instant confirmedAt, @Nullable String failure,
      boolean repeated) {

    static VerificationView of(ContactVerification v, int maxAttempts, boolean repeated) {
      return new VerificationView(v.id(), v.recipientId(), v.channel(), v.address(),
          v.state().name(), Math.max(0, maxAttempts - v.attempts()), v.createdAt(),
          v.expiresAt(), v.confirmedAt(), v.failure(), repeated);
    }
  }

  /** A confirmed verification: the contact point now reads {@code "attestation": "relay"}. */
  public record VerificationConfirmed(String verificationId, String recipientId,
      RecipientViews.ContactView contact) {}

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Allowed({Role.CLIENT, Role.ADMIN})
  @Operation(operationId = "startSmsVerification", summary = "Text a one-time code to the "
      + "recipient's SMS number (audited)",
      description = "Relay draws a 6-digit code, keeps only a keyed hash of it and texts it "
          + "through the same SMS guard as every SMS (allowlist, velocity, pause). The code is "
          + "good for 10 minutes and 5 tries; a newer verification replaces older ones. A start "
          + "within 60 s of the previous one answers that one again (no second text). At most 3 "
          + "starts per number per hour. Confirm with POST …/verification/confirm.")
  @ApiResponse(responseCode = "202", description = "Started (or repeated); Location names it")
  @ApiResponse(responseCode = "400", description = "No body, or address missing or not E.164")
  @ApiResponse(responseCode = "404", description = "Unknown recipient")
  @ApiResponse(responseCode = "422", description = "address is not the recipient's SMS "
      + "contact point (unknown-reference), is suppressed (destination-refused) or outside the "
      + "tenant's allowlist (sms-destination-refused)")
  @ApiResponse(responseCode = "429", description = "The number's limit of verifications per "
      + "hour; Retry-After says when the next may start")
  @ApiResponse(responseCode = "503", description = "The workflow service is unavailable; "
      + "nothing was sent, try again")
  public ResponseEntity<VerificationView> start(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id,
      @RequestBody StartVerificationRequest body) {
    Checks checks = new Checks();
    checks.matches("id", id, Ids.ID, Ids.ID_DESCRIPTION);
    String address = body == null ? null : body.address();
    if (checks.required("address", address) && !RecipientRequest.E164.matcher(address).matches()) {
      checks.add("address", "must be an E.164 phone number such as +15551234567");
    }
    checks.throwIfAny();
    Recipient recipient = recipients.find(caller.tenantId(), id)
        .orElseThrow(() -> ApiProblem.notFound("Recipient", id));
    ContactPoint point = recipient.contact(CHANNEL)
        .filter(c -> c.address().equals(address))
        .orElseThrow(() -> new ApiProblem(ProblemType.UNKNOWN_REFERENCE, "The address is not "
            + "the SMS contact point of recipient '" + id + "'",
            List.of(new FieldProblem("address", "is not this recipient's SMS contact point; "
                + "PUT /v1/recipients/" + id + " to change it")), HttpHeaders.EMPTY));
    if (point.suppressedReason() != null) {
      throw new ApiProblem(ProblemType.DESTINATION_REFUSED, "The SMS contact point of recipient '"
          + id + "' is suppressed (" + point.suppressedReason() + "): no code is sent to it",
          List.of(new FieldProblem("address", "is suppressed")), HttpHeaders.EMPTY);
    }
    SmsPolicy policy = smsGuard.policy(caller.tenantId(), smsDefaults.policy());
    SmsDestinations.Verdict verdict = SmsDestinations.check(address, policy.allowedRegions());
    if (!verdict.allowed()) {
      throw new ApiProblem(ProblemType.SMS_DESTINATION_REFUSED, "SMS to region "
          + verdict.region() + " refused: this tenant sends SMS only to valid mobile numbers of "
          + policy.allowedRegions(), List.of(new FieldProblem("address", verdict.refusal())),
          HttpHeaders.EMPTY);
    }

    ContactVerificationRepository.Start started = verifications.start(caller.tenantId(), id,
        CHANNEL, address, actor(caller));
    VerificationLimits limits = verifications.limits();
    if (started.rateLimited()) {
      long seconds = Math.max(1, started.retryAfter().toSeconds() + 1);
      HttpHeaders headers = new HttpHeaders();
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
      String limit = limits.perWindow() + " verifications per " + limits.window()
          + " per contact point";
      throw new ApiProblem(ProblemType.TOO_MANY_REQUESTS, "This number had " + limit
          + " already; the next may start in " + seconds + " s", List.of(), headers,
          Map.of("limit", limit));
    }
    ContactVerification v = started.verification();
    // Started again on a repeat too: one workflow per verification ID, so this only matters when
    // an earlier start was cut off between the row and the workflow.
    sendCode(v);
    log.info("verification {} of the SMS contact point of recipient {} (tenant {}) {} by {}",
        v.id(), id, caller.tenantId(), started.repeated() ? "repeated" : "started", caller.name());
    return ResponseEntity.accepted()
        .location(URI.create("/v1/recipients/" + id + "/contacts/SMS/verification/" + v.id()))
        .body(VerificationView.of(v, limits.maxAttempts(), started.repeated()));
  }

  // Only verification IDs match, so ".../confirm" is never read as one (GET is not allowed there).
  @GetMapping("/{verificationId:ver-[0-9a-f-]{36}}")
  @Allowed({Role.CLIENT, Role.SUPPORT})
  @Operation(operationId = "getSmsVerification", summary = "A verification's state (never its "
      + "code)", description = "FAILED names why the code was not sent (e.g. SMS_PAUSED).")
  @ApiResponse(responseCode = "200", description = "The verification")
  @ApiResponse(responseCode = "404", description = "Unknown recipient or verification")
  public VerificationView get(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id,
      @Parameter(description = "The verification's ID", schema = @Schema(type = "string", pattern = VERIFICATION_ID_REGEX)) @PathVariable String verificationId) {
    return verifications.find(caller.tenantId(), verificationId)
        .filter(v -> v.recipientId().equals(id))
        .map(v -> VerificationView.of(v, verifications.limits().maxAttempts(), false))
        .orElseThrow(() -> ApiProblem.notFound("Verification", verificationId));
  }

  @PostMapping(path = "/confirm", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Allowed({Role.CLIENT, Role.ADMIN})
  @Operation(operationId = "confirmSmsVerification", summary = "Confirm the recipient's SMS "
      + "number with the code Relay texted (audited)",
      description = "Right: the number is verified by Relay (the recipient's contact shows "
          + "\"attestation\": \"relay\") and the code is used up. Wrong: 422 with attemptsLeft; "
          + "the 5th wrong code locks the verification (409 verification-locked). Start a new "
          + "verification after a lock, an expiry (410) or a failed send.")
  @ApiResponse(responseCode = "200", description = "Confirmed")
  @ApiResponse(responseCode = "400", description = "verificationId or code missing, or the "
      + "code is not 6 digits (not counted as a try)")
  @ApiResponse(responseCode = "404", description = "Unknown recipient or verification")
  @ApiResponse(responseCode = "409", description = "Locked (verification-locked), already "
      + "used, replaced by a newer one, not sent, or the recipient's number changed "
      + "(invalid-state)")
  @ApiResponse(responseCode = "410", description = "Expired (verification-expired)")
  @ApiResponse(responseCode = "422", description = "Wrong code (verification-code-wrong, "
      + "with attemptsLeft)")
  public VerificationConfirmed confirm(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The recipient's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id,
      @RequestBody ConfirmVerificationRequest body) {
    Checks checks = new Checks();
    checks.matches("id", id, Ids.ID, Ids.ID_DESCRIPTION);
    String verificationId = body == null ? null : body.verificationId();
    String code = body == null ? null : body.code();
    if (checks.required("verificationId", verificationId)
        && !VERIFICATION_ID.matcher(verificationId).matches()) {
      checks.add("verificationId", "must be a verification ID (ver-…) from the start");
    }
    if (checks.required("code", code) && !CODE.matcher(code).matches()) {
      checks.add("code", "must be the " + VerificationCodes.DIGITS + " digits of the text");
    }
    checks.throwIfAny();
    if (!recipients.exists(caller.tenantId(), id)) {
      throw ApiProblem.notFound("Recipient", id);
    }
    Confirmation c = verifications.confirm(caller.tenantId(), id, verificationId, code, codes,
        actor(caller));
    String start = "start a new one with POST /v1/recipients/" + id + "/contacts/SMS/verification";
    log.info("verification {} of recipient {} (tenant {}): {} by {}", verificationId, id,
        caller.tenantId(), c.outcome(), caller.name());
    return switch (c.outcome()) {
      case CONFIRMED -> {
        RecipientViews.ContactView contact = recipients.find(caller.tenantId(), id)
            .flatMap(r -> r.contact(CHANNEL)).map(RecipientViews.ContactView::of).orElse(null);
        yield new VerificationConfirmed(verificationId, id, contact);
      }
      case WRONG_CODE -> throw new ApiProblem(ProblemType.VERIFICATION_CODE_WRONG,
          "The code is not right; " + c.attemptsLeft() + " attempt(s) left",
          List.of(new FieldProblem("code", "is not the code of this verification")),
          HttpHeaders.EMPTY, Map.of("attemptsLeft", c.attemptsLeft()));
      case LOCKED_NOW -> throw new ApiProblem(ProblemType.VERIFICATION_LOCKED,
          "The code is not right, and that was the last attempt: the verification is locked; "
              + start, List.of(), HttpHeaders.EMPTY, Map.of("attemptsLeft", 0));
      case LOCKED -> throw new ApiProblem(ProblemType.VERIFICATION_LOCKED,
          "The verification is locked after " + verifications.limits().maxAttempts()
              + " wrong codes; " + start, List.of(), HttpHeaders.EMPTY,
          Map.of("attemptsLeft", 0));
      case EXPIRED -> throw new ApiProblem(ProblemType.VERIFICATION_EXPIRED,
          "The code expired at " + c.verification().expiresAt() + "; " + start);
      case ALREADY_CONFIRMED -> throw new ApiProblem(ProblemType.INVALID_STATE,
          "The verification was already confirmed: a code works once");
      case SUPERSEDED -> throw new ApiProblem(ProblemType.INVALID_STATE,
          "A newer verification of this number replaced this one: use the code of the newest");
      case NOT_SENT -> throw new ApiProblem(ProblemType.INVALID_STATE, notSent(c.verification())
          + start);
      case CONTACT_CHANGED -> throw new ApiProblem(ProblemType.INVALID_STATE,
          "The recipient's SMS number changed since the verification started; " + start);
      case NOT_FOUND -> throw ApiProblem.notFound("Verification", verificationId);
    };
  }

  private static String notSent(ContactVerification v) {
    return switch (v.state()) {
      case PENDING, SENDING -> "The code is not sent yet; try again in a moment, or ";
      default -> "The code was not sent (" + (v.failure() == null ? v.state() : v.failure())
          + "); ";
    };
  }

  /**
   * Starts the workflow that texts the code. The workflow ID is the verification's, with
   * REJECT_DUPLICATE and USE_EXISTING: however often this runs for one verification, one
   * workflow texts its code once. Temporal down: the verification is UNSENT (not counted by the
   * rate limit) and the answer a 503.
   */
  private void sendCode(ContactVerification v) {
    WorkflowOptions options = WorkflowOptions.newBuilder()
        .setWorkflowId(ContactVerificationWorkflow.workflowId(v.id()))
        .setTaskQueue(TaskQueues.DELIVERY)
        .setWorkflowIdConflictPolicy(
            WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        // The code is worthless after its expiry; so is a workflow still trying to text it.
        .setWorkflowExecutionTimeout(verifications.limits().ttl().plus(Duration.ofMinutes(1)))
        // No number in the summary: summaries are never encrypted.
        .setStaticSummary("Text the verification code of recipient " + v.recipientId())
        .build();
    try {
      ContactVerificationWorkflow stub =
          workflows.newWorkflowStub(ContactVerificationWorkflow.class, options);
      WorkflowClient.start(stub::sendCode, new VerificationSend(v.tenantId(), v.id()));
    } catch (WorkflowExecutionAlreadyStarted e) {
      log.debug("the workflow of verification {} exists already", v.id());
    } catch (RuntimeException e) {
      boolean unavailable = ProblemHandler.isUnavailable(e);
      log.warn("cannot start the workflow of verification {}: {}", v.id(), e.toString());
      verifications.unsent(v.tenantId(), v.id(), unavailable
          ? "the workflow service was unavailable" : "the workflow service refused the start");
      throw ApiProblem.unavailable("The code could not be sent now; try again later", 5);
    }
  }

  private static String actor(ApiKeyPrincipal caller) {
    return caller.role().dbValue() + ":" + caller.name();
  }
}
