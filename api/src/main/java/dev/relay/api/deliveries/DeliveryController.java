package dev.relay.api.deliveries;

import dev.relay.api.auth.Allowed;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/v1/deliveries", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Deliveries")
public class DeliveryController {
  static final String IDEMPOTENCY_KEY_PATTERN = Ids.IDEMPOTENCY_KEY_REGEX;
  static final String ID_PATTERN = Ids.ID_REGEX;
  /**
   * The shape of a delivery ID ({@code DeliveryIds}); also in the mappings, so that
   * {@code /v1/deliveries/batch} is only the batch POST (an ID never looks like "batch").
   */
  static final String DELIVERY_ID = "dlv-[0-9a-f]{32}";
  private final DeliveryService deliveries;
  private final SupportActions actions;

  public DeliveryController(DeliveryService deliveries, SupportActions actions) {
    this.deliveries = deliveries;
    this.actions = actions;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Allowed(Role.CLIENT)
  @Operation(operationId = "createDelivery", summary = "Accept a delivery",
      description = "Idempotent per Idempotency-Key: the same key and body return the same "
          + "delivery; the same key with another body is 422. Unknown recipient, template or "
          + "document, or a deadline not in the future → 422; invalid fields → 400 naming each.")
  @ApiResponse(responseCode = "202", description = "Accepted; Location names the delivery",
      headers = {
          @Header(name = "Location", description = "/v1/deliveries/{deliveryId}",
              schema = @Schema(type = "string")),
          @Header(name = "Idempotent-Replayed", description = "true when the key was already "
              + "accepted with this body (the earlier delivery is answered)",
              schema = @Schema(type = "boolean"))})
  @ApiResponse(responseCode = "422", description = "`idempotency-key-reused`: the key was used "
      + "for a different request; `unknown-reference`: the recipient, template or a document does "
      + "not exist; `unprocessable-value`: the deadline is not in the future")
  public ResponseEntity<DeliveryViews.Accepted> create(
      @Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(in = ParameterIn.HEADER, required = true,
          description = "Unique per intended delivery: a retry with the same key and body is "
              + "answered with the same delivery",
          schema = @Schema(type = "string", pattern = IDEMPOTENCY_KEY_PATTERN, minLength = 1,
              maxLength = 200))
      @RequestHeader(name = Ids.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
      @RequestBody CreateDeliveryRequest body) {
    DeliveryService.Acceptance accepted = deliveries.accept(caller, idempotencyKey, body);
    return ResponseEntity.accepted()
        .location(URI.create("/v1/deliveries/" + accepted.record().id()))
        .header("Idempotent-Replayed", Boolean.toString(!accepted.created()))
        .body(new DeliveryViews.Accepted(accepted.record().id(), accepted.record().status()));
  }

  @PostMapping(path = "/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Allowed(Role.CLIENT)
  @Operation(operationId = "createDeliveryBatch",
      summary = "Accept up to " + BatchViews.MAX_ITEMS + " deliveries in one request",
      description = "For billing runs. Each item is the single POST's body plus its "
          + "`idempotencyKey` and gets its own result, in request order: `accepted` (new "
          + "delivery), `replayed` (key already accepted with the same body: the earlier "
          + "delivery) or `rejected` with an RFC 9457 `problem` (the 400/422 the single POST "
          + "would have answered). One bad item never fails the others. A key repeated within "
          + "the batch is `replayed` when its body equals the earlier item's, else `rejected`. "
          + "All accepted items are written in one transaction: if the database fails, nothing "
          + "is written and the answer is 503 (retrying the whole request is safe). Workflows "
          + "start asynchronously after the commit. No items, or more than "
          + BatchViews.MAX_ITEMS + " → 400.")
  @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
      content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
          schema = @Schema(implementation = BatchViews.RequestDoc.class)))
  @ApiResponse(responseCode = "200", description = "One result per item, and the tally")
  public BatchViews.Result createBatch(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @RequestBody BatchViews.Request body) {
    return deliveries.acceptBatch(caller, body);
  }

  @GetMapping("/{id:" + DELIVERY_ID + "}")
  @Allowed({Role.CLIENT, Role.SUPPORT})
  @Operation(operationId = "getDelivery",
      summary = "A delivery's status and timeline (from the store; works while Temporal is down)")
  @ApiResponse(responseCode = "200", description = "The delivery")
  @ApiResponse(responseCode = "404", description = "No such delivery for this tenant")
  public DeliveryViews.Delivery get(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The delivery ID", schema = @Schema(type = "string", pattern = "^" + DELIVERY_ID + "$")) @PathVariable String id) {
    return deliveries.view(caller, id);
  }

  @GetMapping
  @Allowed({Role.CLIENT, Role.SUPPORT})
  @Operation(operationId = "listDeliveries", summary = "A page of the tenant's deliveries, newest first")
  @ApiResponse(responseCode = "200", description = "A page; `nextCursor` is null on the last one")
  public DeliveryViews.Page list(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "Only deliveries in this status",
          schema = @Schema(implementation = DeliveryStatus.class))
      @RequestParam(required = false) String status,
      @Parameter(description = "Only deliveries to this recipient",
          schema = @Schema(type = "string", pattern = ID_PATTERN, maxLength = 128))
      @RequestParam(required = false) String recipientId,
      @Parameter(description = "Page size (an empty value is a 400, like any non-number)",
          schema = @Schema(type = "integer", format = "int32", minimum = "1",
              maximum = "" + DeliveryService.MAX_PAGE, defaultValue = "" + DeliveryService.DEFAULT_PAGE))
      @RequestParam(required = false) String limit,
      @Parameter(description = "`nextCursor` of the previous page, as it was returned (opaque)",
          schema = @Schema(type = "string", pattern = "^[A-Za-z0-9_-]+$", maxLength = 400))
      @RequestParam(required = false) String cursor) {
    return deliveries.page(caller, status, recipientId, limit, cursor);
  }

  @GetMapping("/{id:" + DELIVERY_ID + "}/audit")
  @Allowed({Role.CLIENT, Role.SUPPORT})
  @Operation(operationId = "getDeliveryAudit",
      summary = "The delivery's audit events in order, with hash-chain verification")
  @ApiResponse(responseCode = "200", description = "The audit trail")
  @ApiResponse(responseCode = "404", description = "No such delivery for this tenant")
  public DeliveryViews.AuditTrail audit(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The delivery ID", schema = @Schema(type = "string", pattern = "^" + DELIVERY_ID + "$")) @PathVariable String id) {
    return deliveries.auditTrail(caller, id);
  }

  @PostMapping(path = "/{id:" + DELIVERY_ID + "}/actions", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Allowed(Role.SUPPORT)
  @Operation(operationId = "supportAction",
      summary = "A support action: RETRY, REROUTE, CANCEL or MARK_DELIVERED",
      description = "409 when the workflow's validator rejects the action in the current state. "
          + "An optional Idempotency-Key makes a retried request apply the action once.")
  @ApiResponse(responseCode = "200", description = "Applied; the delivery's state after it")
  @ApiResponse(responseCode = "404", description = "No such delivery for this tenant")
  @ApiResponse(responseCode = "409", description = "Not possible in the delivery's current state "
      + "(e.g. it has already ended)")
  @ApiResponse(responseCode = "504", description = "The workflow did not answer in time; the "
      + "action may still apply: GET the delivery, or retry with the same Idempotency-Key")
  public DeliveryViews.ActionResult act(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The delivery ID", schema = @Schema(type = "string", pattern = "^" + DELIVERY_ID + "$")) @PathVariable String id,
      @Parameter(description = "Optional: a retry with the same key applies the action once",
          schema = @Schema(type = "string", pattern = IDEMPOTENCY_KEY_PATTERN, minLength = 1,
              maxLength = 200))
      @RequestHeader(name = Ids.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
      @RequestBody ActionRequest body) {
    return actions.act(caller, id, body, idempotencyKey);
  }
}
