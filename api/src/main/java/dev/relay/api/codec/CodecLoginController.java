package dev.relay.api.codec;

import dev.relay.api.config.CodecServerProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.store.tenant.ApiKeyPrincipal;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The Web UI's way in: a page where an operator signs in with a support or admin key, which
 * sets the codec session cookie the UI sends with "include cross-origin credentials".
 */
@Hidden
@RestController
@RequestMapping("/codec")
public class CodecLoginController {
  private static final Logger log = LoggerFactory.getLogger(CodecLoginController.class);

  private final CodecSessions sessions;
  private final CodecAccess access;
  private final CodecServerProperties properties;

  public CodecLoginController(CodecSessions sessions, CodecAccess access,
      CodecServerProperties properties) {
    this.sessions = sessions;
    this.access = access;
    this.properties = properties;
  }

  @GetMapping(path = "/login", produces = MediaType.TEXT_HTML_VALUE)
  public ResponseEntity<String> form() {
    return page(HttpStatus.OK, "");
  }

  @PostMapping(path = "/login", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
      produces = MediaType.TEXT_HTML_VALUE)
  public ResponseEntity<String> login(@RequestParam(name = "apiKey", required = false) String apiKey,
      HttpServletRequest request) {
    ApiKeyPrincipal who;
    try {
      who = access.authenticateKey(apiKey, request.getRemoteAddr());
      CodecAccess.requireOperator(who);
    } catch (ApiProblem e) {
      log.warn("codec sign-in refused from {}: {}", request.getRemoteAddr(), e.getMessage());
      return page(e.type().status(), "<p class=err>" + HtmlUtils.htmlEscape(e.getMessage()) + "</p>");
    }
    ResponseCookie cookie = ResponseCookie.from(CodecSessions.COOKIE,
            sessions.issue(apiKey.strip(), Instant.now()))
        .httpOnly(true)
        .secure(request.isSecure())
        .sameSite(properties.sessionSameSite())
        .path("/codec")
        .maxAge(sessions.ttl())
        .build();
    log.info("codec sign-in: {} (tenant {}, {}) from {}", who.name(), who.tenantId(),
        who.role().dbValue(), request.getRemoteAddr());
    String body = "<p class=ok>Signed in as <b>" + HtmlUtils.htmlEscape(who.name()) + "</b> (tenant "
        + HtmlUtils.htmlEscape(who.tenantId()) + ", " + who.role().dbValue() + ") for "
        + sessions.ttl().toHours() + " h.</p><p>The Temporal Web UI can now show decoded payloads. "
        + "If it still shows <code>binary/encrypted</code>: in the UI open the codec server "
        + "settings, keep this endpoint, tick <i>Include cross-origin credentials</i> and apply "
        + "(README, Data protection).</p>";
    return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, cookie.toString())
        .contentType(MediaType.TEXT_HTML).body(html(body));
  }

  @PostMapping(path = "/logout", produces = MediaType.TEXT_HTML_VALUE)
  public ResponseEntity<String> logout(HttpServletRequest request) {
    ResponseCookie gone = ResponseCookie.from(CodecSessions.COOKIE, "").httpOnly(true)
        .secure(request.isSecure()).sameSite(properties.sessionSameSite()).path("/codec")
        .maxAge(0).build();
    return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, gone.toString())
        .contentType(MediaType.TEXT_HTML).body(html("<p>Signed out.</p>"));
  }

  private static ResponseEntity<String> page(HttpStatus status, String message) {
    return ResponseEntity.status(status).contentType(MediaType.TEXT_HTML).body(html(message
        + "<form method=post action=login><label>Support or admin API key "
        + "<input name=apiKey type=password autocomplete=off required></label> "
        + "<button type=submit>Sign in</button></form>"));
  }

  private static String html(String content) {
    return "<!doctype html><html><head><meta charset=utf-8><title>Relay codec sign-in</title>"
        + "<style>body{font-family:sans-serif;max-width:40em;margin:3em auto}.err{color:#b00}"
        + ".ok{color:#070}</style></head><body><h1>Relay codec server</h1>" + content
        + "</body></html>";
  }
}
