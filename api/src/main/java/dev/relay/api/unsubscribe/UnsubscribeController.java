package dev.relay.api.unsubscribe;

import dev.relay.api.auth.Unauthenticated;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.store.consent.ConsentRepository;
import dev.relay.store.consent.PurposeRepository.UnsubscribeTarget;
import dev.relay.store.consent.UnsubscribeTokens;
import dev.relay.store.recipient.RecipientRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * RFC 8058 one-click unsubscribe: the URL in the List-Unsubscribe header of emails of
 * non-essential purposes. A POST (what the mailbox provider's button sends, body
 * {@code List-Unsubscribe=One-Click}) withdraws the recipient's email consent for that purpose as
 * a new consent version; a GET (a person clicking, or a link scanner prefetching) only shows a
 * confirmation form, so no scanner can unsubscribe anybody. The token is the only credential:
 * signed, naming tenant, recipient and purpose; anything else is a 400.
 */
@RestController
@RequestMapping(path = "/v1/unsubscribe/{token}")
@Unauthenticated
@SecurityRequirements
@Tag(name = "Unsubscribe")
public class UnsubscribeController {
  static final String SOURCE = "one-click-unsubscribe";
  /** Tokens Relay issues are about 120 characters; the bound keeps any URL within Tomcat's. */
  static final int MAX_TOKEN = 512;
  static final String TOKEN = "The token from the email's List-Unsubscribe link";
  /** Three dot-separated base64url parts: payload, key ID, signature. */
  static final String TOKEN_REGEX = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$";
  private static final java.util.regex.Pattern TOKEN_PATTERN =
      java.util.regex.Pattern.compile(TOKEN_REGEX);

  private final UnsubscribeTokens tokens;
  private final ConsentRepository consents;
  private final RecipientRepository recipients;
  private final Clock clock = Clock.systemUTC();

  public UnsubscribeController(UnsubscribeTokens tokens, ConsentRepository consents,
      RecipientRepository recipients) {
    this.tokens = tokens;
    this.consents = consents;
    this.recipients = recipients;
  }

  @GetMapping(produces = MediaType.TEXT_HTML_VALUE)
  @Operation(operationId = "showUnsubscribe", summary = "The confirmation page of an unsubscribe "
      + "link (changes nothing)")
  @ApiResponse(responseCode = "200", description = "An HTML page with the confirmation form")
  @ApiResponse(responseCode = "404", description = "No such link (not one Relay signed, or "
      + "altered), or its recipient no longer exists")
  public ResponseEntity<String> show(@Parameter(description = TOKEN, schema = @Schema(
      type = "string", pattern = TOKEN_REGEX, maxLength = MAX_TOKEN)) @PathVariable String token) {
    UnsubscribeTarget target = target(token);
    return page("Unsubscribe", "<p>Stop emails about <strong>" + HtmlUtils.htmlEscape(target.purpose())
        + "</strong>?</p><form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" "
        + "value=\"One-Click\"><button type=\"submit\">Unsubscribe</button></form>");
  }

  @PostMapping(produces = MediaType.TEXT_HTML_VALUE)
  @Operation(operationId = "unsubscribeOneClick", summary = "Withdraw email consent for the "
      + "link's purpose (RFC 8058 one-click; idempotent)")
  @ApiResponse(responseCode = "200", description = "An HTML page saying it is done")
  @ApiResponse(responseCode = "404", description = "No such link (not one Relay signed, or "
      + "altered), or its recipient no longer exists")
  public ResponseEntity<String> unsubscribe(@Parameter(description = TOKEN, schema = @Schema(
      type = "string", pattern = TOKEN_REGEX, maxLength = MAX_TOKEN)) @PathVariable String token) {
    UnsubscribeTarget t = target(token);
    Instant now = clock.instant();
    boolean alreadyOff = consents.decisionAsOf(t.tenantId(), t.recipientId(), t.purpose(),
        "EMAIL", now).map(c -> !c.granted()).orElse(true);
    if (!alreadyOff) {
      consents.record(t.tenantId(), t.recipientId(), t.purpose(), Map.of("EMAIL", false), SOURCE,
          "RFC 8058 List-Unsubscribe-Post at " + now);
    }
    return page("Unsubscribed", "<p>You will no longer get emails about <strong>"
        + HtmlUtils.htmlEscape(t.purpose()) + "</strong>.</p>");
  }

  private UnsubscribeTarget target(String token) {
    if (token.length() > MAX_TOKEN || !TOKEN_PATTERN.matcher(token).matches()) {
      throw ApiProblem.validation("token", "is not an unsubscribe token: it was cut off or "
          + "mangled; use the link from the email as it is");
    }
    // Well-formed but not signed by Relay (forged, altered, or its key retired): no such link.
    UnsubscribeTarget target = tokens.verify(token).orElseThrow(() -> new ApiProblem(
        ProblemType.NOT_FOUND, "This unsubscribe link is not valid: it was altered or is not "
            + "one Relay sent; use the link from the email as it is"));
    if (!recipients.exists(target.tenantId(), target.recipientId())) {
      throw ApiProblem.notFound("Recipient of this unsubscribe link", target.recipientId());
    }
    return target;
  }

  private static ResponseEntity<String> page(String title, String body) {
    String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>" + title
        + "</title></head><body><main><h1>" + title + "</h1>" + body + "</main></body></html>";
    return ResponseEntity.ok()
        .contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
        .cacheControl(CacheControl.noStore())
        .header("Content-Security-Policy", "default-src 'none'; form-action 'self'; "
            + "frame-ancestors 'none'")
        .header("Referrer-Policy", "no-referrer")
        .header("X-Content-Type-Options", "nosniff")
        .body(html);
  }
}
