package dev.relay.api.auth;

import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.api.config.AuthProperties;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.ApiKeyRepository;
import dev.relay.store.tenant.Role;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Authenticates every {@code /v1} request by its {@code Authorization: Bearer <api-key>} header
 * (unknown or revoked key → 401) and checks the key's role against the endpoint's
 * {@link Allowed} roles (→ 403). The principal is left in a request attribute for controllers.
 * Failed authentications are throttled per client address ({@link FailedAuthThrottle} → 429), and
 * each key's last use is recorded at most once per {@code relay.auth.last-use-interval}.
 */
@Component
public class ApiKeyInterceptor implements HandlerInterceptor {
  public static final String PRINCIPAL_ATTRIBUTE = ApiKeyInterceptor.class.getName() + ".principal";
  private static final String BEARER = "bearer ";

  private final ApiKeyRepository keys;
  private final FailedAuthThrottle throttle;
  private final AuthProperties properties;
  private final Clock clock = Clock.systemUTC();
  /** When each key's last use was last written: keeps that write off most requests. */
  private final Map<String, Instant> lastUseWritten = new ConcurrentHashMap<>();

  public ApiKeyInterceptor(ApiKeyRepository keys, FailedAuthThrottle throttle,
      AuthProperties properties) {
    this.keys = keys;
    this.throttle = throttle;
    this.properties = properties;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    HandlerMethod method = handler instanceof HandlerMethod hm ? hm : null;
    if (method != null && isAnnotated(method, Unauthenticated.class)) {
      return true;
    }
    ApiKeyPrincipal principal = authenticate(request.getHeader(HttpHeaders.AUTHORIZATION),
        request.getRemoteAddr());
    request.setAttribute(PRINCIPAL_ATTRIBUTE, principal);
    if (method != null) {
      authorize(method, principal);
    }
    return true;
  }

  /**
   * The principal of an {@code Authorization: Bearer <api-key>} header sent from {@code client}
   * (an address); a 401 problem when it is missing, malformed, unknown, expired or revoked, a 429
   * when {@code client} failed too often. Also used by the codec server.
   */
  public ApiKeyPrincipal authenticate(String authorization, String client) {
    if (authorization == null || authorization.isBlank()) {
      // No key is not a guess: a browser or a probe without credentials is not throttled.
      throw ApiProblem.unauthenticated("An API key is required: Authorization: Bearer <api-key>");
    }
    throttle.checkAllowed(client);
    if (authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throttle.recordFailure(client);
      throw ApiProblem.unauthenticated("The Authorization header must use the Bearer scheme");
    }
    String key = authorization.substring(BEARER.length()).trim();
    Optional<ApiKeyPrincipal> principal = key.isEmpty() || key.length() > 512
        ? Optional.empty() : keys.authenticate(key);
    if (principal.isEmpty()) {
      throttle.recordFailure(client);
      throw ApiProblem.unauthenticated("The API key is unknown, expired or revoked");
    }
    recordUse(principal.get());
    return principal.get();
  }

  private void recordUse(ApiKeyPrincipal principal) {
    if (principal.keyId() == null) {
      return;
    }
    Instant now = clock.instant();
    Instant written = lastUseWritten.get(principal.keyId());
    if (written == null || !written.plus(properties.lastUseInterval()).isAfter(now)) {
      lastUseWritten.put(principal.keyId(), now);
      keys.touch(principal.keyId());
    }
  }

  private static void authorize(HandlerMethod method, ApiKeyPrincipal principal) {
    Allowed allowed = Optional
        .ofNullable(AnnotatedElementUtils.findMergedAnnotation(method.getMethod(), Allowed.class))
        .orElseGet(() -> AnnotatedElementUtils.findMergedAnnotation(method.getBeanType(), Allowed.class));
    boolean permitted = principal.role() == Role.ADMIN
        || (allowed != null && Arrays.asList(allowed.value()).contains(principal.role()));
    if (!permitted) {
      throw new ApiProblem(ProblemType.FORBIDDEN,
          "The " + principal.role().dbValue() + " role may not do this");
    }
  }

  private static boolean isAnnotated(HandlerMethod method, Class<? extends java.lang.annotation.Annotation> a) {
    return AnnotatedElementUtils.hasAnnotation(method.getMethod(), a)
        || AnnotatedElementUtils.hasAnnotation(method.getBeanType(), a);
  }
}
