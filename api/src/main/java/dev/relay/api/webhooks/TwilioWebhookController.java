package dev.relay.api.webhooks;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.relay.api.auth.Unauthenticated;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.api.problems.ProblemHandler;
import dev.relay.api.problems.ProblemType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.workflow.DeliveryWorkflow;
import dev.relay.contracts.workflow.ProviderReceipt;
import dev.relay.store.delivery.ReceiptRepository;
import dev.relay.store.delivery.SendLedgerEntry;
import dev.relay.store.delivery.SendLedgerRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Twilio's message status callbacks. Authenticated by Twilio's signature, not an API key. A
 * receipt is persisted first and then signalled to the delivery's workflow; if Temporal cannot be
 * reached the answer is 503 so Twilio retries (the receipt row is already safe, and the workflow
 * ignores a receipt it has seen).
 */
@RestController
@RequestMapping("/v1/webhooks/twilio")
@Tag(name = "Webhooks")
public class TwilioWebhookController {
  private static final Logger log = LoggerFactory.getLogger(TwilioWebhookController.class);
  private static final String PROVIDER = "twilio";
  private static final Pattern SID = Pattern.compile("(SM|MM)[0-9a-fA-F]{32}");
  private static final Pattern STATUS = Pattern.compile("[a-z_]{1,32}");

  private final TwilioSignature signatures;
  private final SendLedgerRepository ledger;
  private final ReceiptRepository receipts;
  private final WorkflowClient client;

  public TwilioWebhookController(TwilioSignature signatures, SendLedgerRepository ledger,
      ReceiptRepository receipts, WorkflowClient client) {
    this.signatures = signatures;
    this.ledger = ledger;
    this.receipts = receipts;
    this.client = client;
  }

  @PostMapping(path = "/status", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
  @Unauthenticated
  @SecurityRequirements
  @Operation(operationId = "receiveTwilioStatus", summary = "Twilio message status callback",
      description = "Form-encoded as Twilio sends it; X-Twilio-Signature must verify (else 403 "
          + "and nothing changes; the signature is checked before anything else). 204 when "
          + "recorded, 404 when the message is not this delivery's, 503 when the workflow "
          + "service is down (Twilio retries).")
  @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
      content = @Content(mediaType = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
          schema = @Schema(implementation = StatusForm.class)))
  @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "204",
      description = "Recorded and passed to the delivery")
  @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "403",
      description = "X-Twilio-Signature is missing or does not match this request")
  @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "404",
      description = "The message is not one of this delivery's sends")
  @Parameter(name = "deliveryId", in = ParameterIn.QUERY, required = true,
      description = "The delivery the status-callback URL was made for",
      schema = @Schema(type = "string", pattern = "^dlv-[0-9a-f]{32}$"))
  public ResponseEntity<Void> status(HttpServletRequest request,
      @Parameter(required = true, description = "Twilio's HMAC-SHA1 of the URL and the form "
          + "parameters (base64)", schema = @Schema(type = "string"))
      @RequestHeader(name = "X-Twilio-Signature", required = false) String signature) {
    Map<String, String> form = TwilioSignature.formParameters(request);
    if (!signatures.valid(request, form, signature)) {
      log.warn("rejected a Twilio callback with a {} signature", signature == null ? "missing" : "bad");
      throw new ApiProblem(ProblemType.INVALID_SIGNATURE,
          "X-Twilio-Signature is missing or does not match this request");
    }
    String deliveryId = queryValue(request, "deliveryId");
    String sid = form.get("MessageSid");
    String status = form.get("MessageStatus");
    String errorCode = form.get("ErrorCode");
    Checks checks = new Checks();
    if (checks.required("deliveryId", deliveryId) && !DeliveryIds.looksLikeDeliveryId(deliveryId)) {
      checks.add("deliveryId", "is not a delivery ID");
    }
    if (checks.required("MessageSid", sid)) {
      checks.matches("MessageSid", sid, SID, "a Twilio message SID");
    }
    if (checks.required("MessageStatus", status)) {
      checks.matches("MessageStatus", status, STATUS, "a Twilio message status");
    }
    checks.maxLength("ErrorCode", errorCode, 16);
    checks.throwIfAny();

    SendLedgerEntry send = ledger.findByProviderMessageId(PROVIDER, sid)
        .filter(e -> e.deliveryId().equals(deliveryId))
        .orElseThrow(() -> new ApiProblem(ProblemType.NOT_FOUND,
            "No Twilio message " + sid + " for delivery " + deliveryId));

    boolean fresh = receipts.record(send.tenantId(), deliveryId, PROVIDER, sid, status,
        blankToNull(errorCode));
    try {
      client.newWorkflowStub(DeliveryWorkflow.class, DeliveryIds.workflowId(deliveryId))
          .receipt(new ProviderReceipt(sid, status, blankToNull(errorCode), Instant.now()));
    } catch (WorkflowNotFoundException e) {
      // The delivery has ended (delivered, cancelled, expired): the receipt is on record, and
      // there is nothing left to tell. Twilio must not retry.
      log.info("receipt {} {} for ended delivery {} recorded only", sid, status, deliveryId);
    } catch (RuntimeException e) {
      if (ProblemHandler.isUnavailable(e) || e instanceof io.temporal.client.WorkflowServiceException) {
        throw ApiProblem.unavailable("The workflow service is unavailable; the receipt is recorded, "
            + "retry to deliver it", 30);
      }
      throw e;
    }
    log.info("receipt {} {} for {} ({})", sid, status, deliveryId, fresh ? "new" : "repeat");
    return ResponseEntity.noContent().build();
  }

  /**
   * The form fields Relay reads, as documented; Twilio sends more (AccountSid, To, From, ...),
   * which are signed and otherwise ignored.
   */
  @Schema(name = "TwilioStatusForm")
  public record StatusForm(
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, pattern = "^(SM|MM)[0-9a-fA-F]{32}$")
      String MessageSid,
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, pattern = "^[a-z_]{1,32}$",
          example = "delivered")
      String MessageStatus,
      @Schema(maxLength = 16, example = "30003") String ErrorCode) {}

  /** A parameter of the query string only (never a form field of the same name). */
  private static String queryValue(HttpServletRequest request, String name) {
    String query = request.getQueryString();
    if (query == null) {
      return null;
    }
    String value = null;
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = TwilioSignature.decode(eq < 0 ? pair : pair.substring(0, eq));
      if (key.equals(name)) {
        value = eq < 0 ? "" : TwilioSignature.decode(pair.substring(eq + 1));
      }
    }
    return value;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
