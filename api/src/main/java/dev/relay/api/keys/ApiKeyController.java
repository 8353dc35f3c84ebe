package dev.relay.api.keys;

import dev.relay.api.auth.Allowed;
import dev.relay.api.config.AuthProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.api.problems.ProblemType;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.ApiKeyRepository;
import dev.relay.store.tenant.IssuedKey;
import dev.relay.store.tenant.KeyRotation;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The tenant's API keys: make (the value is shown once), list, rotate with an overlap, revoke.
 * Admins only, and only their own tenant's keys; every change is in the tenant's audit chain
 * (step {@code api-key}, actor: the admin key that made it).
 */
@RestController
@RequestMapping(path = "/v1/api-keys", produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.ADMIN)
@Tag(name = "API keys")
public class ApiKeyController {
  private final ApiKeyRepository keys;
  private static final String KEY_ID = "The key's ID (key_…), as listed; not its value";
  /** What key IDs look like; anything else cannot name a key (404, no database read). */
  static final String KEY_ID_REGEX = "^[A-Za-z0-9_-]{1,64}$";
  private static final java.util.regex.Pattern KEY_ID_PATTERN =
      java.util.regex.Pattern.compile(KEY_ID_REGEX);
  private final AuthProperties properties;
  private final Clock clock = Clock.systemUTC();

  public ApiKeyController(ApiKeyRepository keys, AuthProperties properties) {
    this.keys = keys;
    this.properties = properties;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(operationId = "createApiKey", summary = "Make an API key; its value is in this "
      + "answer only (201)")
  @ApiResponse(responseCode = "201", description = "Made; `value` is shown this once",
      useReturnTypeSchema = true)
  @ApiResponse(responseCode = "422", description = "`expiresAt` is not in the future")
  public ResponseEntity<ApiKeyViews.Issued> create(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @RequestBody ApiKeyRequests.Create body) {
    Checks checks = new Checks();
    Role role = body.validRole(checks);
    String name = body.validName(checks);
    Instant expiresAt = body.validExpiry(checks);
    checks.throwIfAny();
    ApiKeyRequests.Create.requireFuture(expiresAt, clock.instant());
    IssuedKey issued = keys.create(caller.tenantId(), role, name, expiresAt, actor(caller));
    return ResponseEntity.created(URI.create("/v1/api-keys/" + issued.key().id()))
        .body(ApiKeyViews.Issued.of(issued));
  }

  @GetMapping
  @Operation(operationId = "listApiKeys", summary = "The tenant's keys, oldest first, with "
      + "prefix, role, state, creation, last use and expiry; never their values")
  public ApiKeyViews.Listing list(@Parameter(hidden = true) ApiKeyPrincipal caller) {
    Instant now = clock.instant();
    return new ApiKeyViews.Listing(keys.list(caller.tenantId()).stream()
        .map(k -> ApiKeyViews.View.of(k, now)).toList());
  }

  @GetMapping("/{id}")
  @Operation(operationId = "getApiKey", summary = "One key (404 when the tenant has no such key)")
  @ApiResponse(responseCode = "200", description = "The key (never its value)")
  @ApiResponse(responseCode = "404", description = "No such key for this tenant")
  public ApiKeyViews.View get(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = KEY_ID, schema = @Schema(type = "string", pattern = KEY_ID_REGEX))
      @PathVariable String id) {
    requireKeyId(id);
    return keys.find(caller.tenantId(), id)
        .map(k -> ApiKeyViews.View.of(k, clock.instant()))
        .orElseThrow(() -> ApiProblem.notFound("API key", id));
  }

  @PostMapping(path = "/{id}/rotate")
  @Operation(operationId = "rotateApiKey", summary = "Make a successor of an active key (same "
      + "role and name; 201); the old key keeps working for the overlap (default PT24H)",
      description = "409 when the key is revoked or expired: make a new key instead. Send `{}` "
          + "for the default overlap.")
  @ApiResponse(responseCode = "201", description = "The successor (its value shown this once) "
      + "and the old key with its new expiry", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "No such key for this tenant")
  @ApiResponse(responseCode = "409", description = "The key is revoked or expired")
  @ApiResponse(responseCode = "422", description = "`overlap` is longer than the server allows")
  public ResponseEntity<ApiKeyViews.Rotated> rotate(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = KEY_ID, schema = @Schema(type = "string", pattern = KEY_ID_REGEX))
      @PathVariable String id, @RequestBody ApiKeyRequests.Rotate body) {
    requireKeyId(id);
    Checks checks = new Checks();
    if (body == null) {
      throw ApiProblem.validation("body", "is required: send {} for the default overlap");
    }
    Duration overlap = body.validOverlap(checks, properties.maxRotationOverlap());
    checks.throwIfAny();
    Instant now = clock.instant();
    KeyRotation rotation = keys.rotate(caller.tenantId(), id, now, overlap, actor(caller))
        .orElseThrow(() -> ApiProblem.notFound("API key", id));
    if (rotation instanceof KeyRotation.Inactive inactive) {
      String state = inactive.key().revokedAt() != null ? "revoked" : "expired";
      throw new ApiProblem(ProblemType.INVALID_STATE, "API key '" + id + "' is " + state
          + "; only an active key can be rotated (make a new one with POST /v1/api-keys)");
    }
    var rotated = (KeyRotation.Rotated) rotation;
    return ResponseEntity.created(URI.create("/v1/api-keys/" + rotated.issued().key().id()))
        .body(new ApiKeyViews.Rotated(ApiKeyViews.Issued.of(rotated.issued()),
            ApiKeyViews.View.of(rotated.previous(), now)));
  }

  // POST, not DELETE: the key is not removed but kept, listed and audited as revoked.
  @PostMapping("/{id}/revoke")
  @Operation(operationId = "revokeApiKey", summary = "Revoke a key at once (idempotent); it stays "
      + "revoked even if configuration still lists it")
  @ApiResponse(responseCode = "200", description = "The key, revoked")
  @ApiResponse(responseCode = "404", description = "No such key for this tenant")
  public ApiKeyViews.View revoke(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = KEY_ID, schema = @Schema(type = "string", pattern = KEY_ID_REGEX))
      @PathVariable String id) {
    requireKeyId(id);
    return keys.revoke(caller.tenantId(), id, actor(caller))
        .map(k -> ApiKeyViews.View.of(k, clock.instant()))
        .orElseThrow(() -> ApiProblem.notFound("API key", id));
  }

  private static void requireKeyId(String id) {
    if (!KEY_ID_PATTERN.matcher(id).matches()) {
      throw ApiProblem.notFound("API key", id.length() > 64 ? id.substring(0, 64) + "…" : id);
    }
  }

  /** The audit actor: which admin key acted. */
  private static String actor(ApiKeyPrincipal caller) {
    return "admin:" + caller.name() + (caller.keyId() == null ? "" : " (" + caller.keyId() + ")");
  }
}
