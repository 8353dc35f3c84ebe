package dev.relay.api.settings;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import dev.relay.api.auth.Allowed;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.api.problems.FieldProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.guard.net.OutboundPolicy;
import dev.relay.guard.net.RefusedDestinationException;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import dev.relay.store.webhook.StatusWebhook;
import dev.relay.store.webhook.StatusWebhookRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The tenant's status webhook: where Relay POSTs status events (delivered, rejected, cancelled,
 * expired, needs attention, delayed), signed Standard Webhooks style with a secret made here.
 * Admins only: whoever sets the URL decides where delivery data goes.
 */
@RestController
@RequestMapping(path = "/v1/settings/status-webhook", produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.ADMIN)
@Tag(name = "Settings")
public class StatusWebhookController {
  private static final Logger log = LoggerFactory.getLogger(StatusWebhookController.class);
  /** Standard Webhooks secrets: this prefix, then base64 of the key bytes. */
  static final String SECRET_PREFIX = "whsec_";
  private static final int SECRET_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final StatusWebhookRepository webhooks;
  private final OutboundPolicy policy;

  public StatusWebhookController(StatusWebhookRepository webhooks, OutboundPolicy policy) {
    this.webhooks = webhooks;
    this.policy = policy;
  }

  /**
   * The answer to a PUT.
   *
   * @param secret the signing secret: shown here once, never again (a new PUT makes a new one)
   */
  public record StatusWebhookWithSecret(String url, String secret, Instant updatedAt) {}

  /** The webhook as GET shows it: never the secret. */
  public record StatusWebhookView(String url, Instant updatedAt) {}

  @PutMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(operationId = "putStatusWebhook",
      summary = "Set the status webhook URL and get a new signing secret (shown once)",
      description = "Every PUT makes a new secret; events still queued are signed with it. "
          + "400 for anything but an absolute https URL (http only under the local-development "
          + "setting relay.webhooks.allow-insecure-local); 422 destination-refused when the host "
          + "is, or resolves to, an address that is not public (loopback, private, link-local "
          + "incl. cloud metadata, carrier-grade NAT, multicast, reserved), naming the address. "
          + "Nothing is stored then.")
  @ApiResponse(responseCode = "200", description = "Set; the secret is shown this once")
  @ApiResponse(responseCode = "404", description = "The key's tenant no longer exists")
  @ApiResponse(responseCode = "422", description = "destination-refused: the host is, or "
      + "resolves to, an address that is not public")
  public StatusWebhookWithSecret put(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @RequestBody StatusWebhookRequest body) {
    Checks checks = new Checks();
    String url = body.validUrl(checks);
    checks.throwIfAny();
    vet(url);
    String secret = newSecret();
    if (!webhooks.configure(caller.tenantId(), url, secret)) {
      throw ApiProblem.notFound("Tenant", caller.tenantId());
    }
    StatusWebhook stored = webhooks.find(caller.tenantId()).orElseThrow();
    return new StatusWebhookWithSecret(stored.url(), secret, stored.updatedAt());
  }

  @GetMapping
  @Operation(operationId = "getStatusWebhook",
      summary = "The status webhook URL (404 when none is set); never the secret")
  @ApiResponse(responseCode = "200", description = "The webhook")
  @ApiResponse(responseCode = "404", description = "No status webhook is set")
  public StatusWebhookView get(@Parameter(hidden = true) ApiKeyPrincipal caller) {
    return webhooks.find(caller.tenantId())
        .map(w -> new StatusWebhookView(w.url(), w.updatedAt()))
        .orElseThrow(() -> ApiProblem.notFound("Status webhook of tenant", caller.tenantId()));
  }

  @DeleteMapping
  @Operation(operationId = "deleteStatusWebhook",
      summary = "Remove the status webhook; events not sent yet are dropped (204, also when none was set)")
  @ApiResponse(responseCode = "204", description = "Removed (or there was none)")
  public ResponseEntity<Void> delete(@Parameter(hidden = true) ApiKeyPrincipal caller) {
    webhooks.remove(caller.tenantId());
    return ResponseEntity.noContent().build();
  }

  /**
   * Refuses a URL Relay would not send to: http (400) or a host with a non-public address (422,
   * naming it). A name that does not resolve (yet) is accepted: the worker checks every address
   * again at each send, so nothing reaches an address this check would refuse.
   */
  private void vet(String url) {
    URI uri = URI.create(url);
    try {
      policy.checkUrl(uri);
      policy.vet(uri.getHost());
    } catch (RefusedDestinationException e) {
      if (e.address() == null) {
        throw ApiProblem.validation("url", e.getMessage());
      }
      throw new ApiProblem(ProblemType.DESTINATION_REFUSED, e.getMessage()
          + ". Use a URL whose host resolves only to public addresses.",
          List.of(new FieldProblem("url", e.getMessage())), HttpHeaders.EMPTY);
    } catch (UnknownHostException e) {
      log.info("status webhook of a tenant set to {}, whose host does not resolve now; "
          + "it is checked again at every send", url);
    }
  }

  /** {@code whsec_} + base64 of 32 random bytes, the Standard Webhooks secret format. */
  static String newSecret() {
    byte[] key = new byte[SECRET_BYTES];
    RANDOM.nextBytes(key);
    return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
  }
}
