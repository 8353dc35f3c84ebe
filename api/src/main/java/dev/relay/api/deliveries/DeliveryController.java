package dev.relay.api.deliveries;

import dev.relay.api.auth.Allowed;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
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
  private final DeliveryService deliveries;
  private final SupportActions actions;

  public DeliveryController(DeliveryService deliveries, SupportActions actions) {
    this.deliveries = deliveries;
    this.actions = actions;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Allowed(Role.CLIENT)
  @Operation(summary = "Accept a delivery",
      description = "Idempotent per Idempotency-Key: the same key and body return the same "
          + "delivery; the same key with another body is 422. Unknown recipient, template or "
          + "document → 422 unknown-reference; invalid fields → 400 naming each.")
  @ApiResponse(responseCode = "202", description = "Accepted; Location names the delivery")
  public ResponseEntity<DeliveryViews.Accepted> create(
      @Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(in = ParameterIn.HEADER, required = true,
          description = "1-200 characters of [A-Za-z0-9._:-], unique per intended delivery")
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
  @Operation(summary = "Accept up to " + BatchViews.MAX_ITEMS + " deliveries in one request",
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

  @GetMapping("/{id}")
  @Allowed({Role.CLIENT, Role.SUPPORT})
  @Operation(summary = "A delivery's status and timeline (from the store; works while Temporal is down)")
  public DeliveryViews.Delivery get(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @PathVariable String id) {
    return deliveries.view(caller, id);
  }

  @GetMapping
  @Allowed({Role.CLIENT, Role.SUPPORT})
  @Operation(summary = "A page of the tenant's deliveries, newest first")
  public DeliveryViews.Page list(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @RequestParam(required = false) String status,
      @RequestParam(required = false) String recipientId,
      @Parameter(description = "1-100, default 20") @RequestParam(required = false) String limit,
      @Parameter(description = "nextCursor of the previous page") @RequestParam(required = false) String cursor) {
    return deliveries.page(caller, status, recipientId, limit, cursor);
  }

  @GetMapping("/{id}/audit")
  @Allowed({Role.CLIENT, Role.SUPPORT})
  @Operation(summary = "The delivery's audit events in order, with hash-chain verification")
  public DeliveryViews.AuditTrail audit(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @PathVariable String id) {
    return deliveries.auditTrail(caller, id);
  }

  @PostMapping(path = "/{id}/actions", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Allowed(Role.SUPPORT)
  @Operation(summary = "A support action: RETRY, REROUTE, CANCEL or MARK_DELIVERED",
      description = "409 when the workflow's validator rejects the action in the current state. "
          + "An optional Idempotency-Key makes a retried request apply the action once.")
  public DeliveryViews.ActionResult act(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @PathVariable String id,
      @RequestHeader(name = Ids.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
      @RequestBody ActionRequest body) {
    return actions.act(caller, id, body, idempotencyKey);
  }
}
