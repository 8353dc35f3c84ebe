package dev.relay.api.codec;

import dev.relay.api.auth.ApiKeyInterceptor;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import dev.relay.store.tenant.ApiKeyRepository;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * Who may use the codec server: an operator, i.e. an API key of the support or admin role, shown
 * as a bearer key (the CLI's {@code --codec-auth}) or through a Web UI sign-in cookie
 * ({@link CodecSessions}). Clients never: they have the data they sent, and the codec would let
 * them read every tenant's unlabelled payloads.
 */
@Component
public class CodecAccess {
  private final ApiKeyInterceptor apiKeys;
  private final ApiKeyRepository keys;
  private final CodecSessions sessions;
  private final Clock clock;

  public CodecAccess(ApiKeyInterceptor apiKeys, ApiKeyRepository keys, CodecSessions sessions) {
    this.apiKeys = apiKeys;
    this.keys = keys;
    this.sessions = sessions;
    this.clock = Clock.systemUTC();
  }

  /** The calling operator; a 401 or 403 problem otherwise. */
  public CodecCaller operator(HttpServletRequest request) {
    CodecCaller caller = authenticate(request);
    requireOperator(caller.principal());
    return caller;
  }

  CodecCaller authenticate(HttpServletRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null && !authorization.isBlank()) {
      return new CodecCaller(apiKeys.authenticate(authorization, request.getRemoteAddr()), "bearer");
    }
    String cookie = cookie(request);
    if (cookie != null) {
      String key = sessions.open(cookie, clock.instant()).orElseThrow(() -> ApiProblem.unauthenticated(
          "The codec sign-in has expired or is not valid; sign in again at /codec/login"));
      ApiKeyPrincipal principal = keys.authenticate(key).orElseThrow(() ->
          ApiProblem.unauthenticated("The key of this codec sign-in was revoked; sign in again "
              + "at /codec/login"));
      return new CodecCaller(principal, "session");
    }
    throw ApiProblem.unauthenticated("An operator key is required: Authorization: Bearer "
        + "<support or admin key> (temporal --codec-auth), or sign in at /codec/login for the "
        + "Web UI");
  }

  /** The principal of a bare API key (the sign-in form); a 401 problem when unknown. */
  ApiKeyPrincipal authenticateKey(String apiKey, String client) {
    if (apiKey == null || apiKey.isBlank()) {
      throw ApiProblem.unauthenticated("Enter a support or admin API key");
    }
    return apiKeys.authenticate("Bearer " + apiKey.strip(), client);
  }

  static void requireOperator(ApiKeyPrincipal principal) {
    if (principal.role() != Role.SUPPORT && principal.role() != Role.ADMIN) {
      throw new ApiProblem(ProblemType.FORBIDDEN, "The " + principal.role().dbValue()
          + " role may not use the codec server; use a support or admin key");
    }
  }

  private static String cookie(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return null;
    }
    for (Cookie c : cookies) {
      if (CodecSessions.COOKIE.equals(c.getName())) {
        return c.getValue();
      }
    }
    return null;
  }
}
