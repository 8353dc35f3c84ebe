package dev.relay.api.limits;

import dev.relay.api.auth.ApiKeyInterceptor;
import dev.relay.store.tenant.ApiKeyPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Applies the request rate limits to every authenticated {@code /v1} request (it runs after
 * {@link ApiKeyInterceptor}): answers carry {@code RateLimit-Policy} and {@code RateLimit}; a
 * used-up limit is a 429 problem with {@code Retry-After}. Requests without a principal (the
 * {@code @Unauthenticated} endpoints) are not counted here. An admin's requests to
 * {@code /v1/settings/limits} are not limited either: a tenant that set its limits too low must
 * always be able to raise them again (their own bucket would otherwise lock it out).
 */
@Component
public class RateLimitInterceptor implements HandlerInterceptor {
  static final String LIMITS_PATH = "/v1/settings/limits";
  private final RateLimits limits;

  public RateLimitInterceptor(RateLimits limits) {
    this.limits = limits;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response,
      Object handler) {
    if (!limits.enabled()
        || !(request.getAttribute(ApiKeyInterceptor.PRINCIPAL_ATTRIBUTE)
            instanceof ApiKeyPrincipal principal)) {
      return true;
    }
    if (principal.role() == dev.relay.store.tenant.Role.ADMIN
        && LIMITS_PATH.equals(request.getRequestURI())) {
      return true;
    }
    List<RateLimits.PolicyState> states = limits.take(principal);
    response.setHeader(RateLimits.RATE_LIMIT_POLICY, RateLimits.policyHeader(states));
    response.setHeader(RateLimits.RATE_LIMIT, RateLimits.stateHeader(states));
    return true;
  }
}
