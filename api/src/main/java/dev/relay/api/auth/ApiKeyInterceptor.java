package dev.relay.api.auth;

import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import dev.relay.store.tenant.TenantRepository;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Arrays;
import java.util.Optional;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Authenticates every {@code /v1} request by its {@code Authorization: Bearer <api-key>} header
 * (unknown or revoked key → 401) and checks the key's role against the endpoint's
 * {@link Allowed} roles (→ 403). The principal is left in a request attribute for controllers.
 */
@Component
public class ApiKeyInterceptor implements HandlerInterceptor {
  public static final String PRINCIPAL_ATTRIBUTE = ApiKeyInterceptor.class.getName() + ".principal";
  private static final String BEARER = "bearer ";

  private final TenantRepository tenants;

  public ApiKeyInterceptor(TenantRepository tenants) {
    this.tenants = tenants;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    HandlerMethod method = handler instanceof HandlerMethod hm ? hm : null;
    if (method != null && isAnnotated(method, Unauthenticated.class)) {
      return true;
    }
    ApiKeyPrincipal principal = authenticate(request.getHeader(HttpHeaders.AUTHORIZATION));
    request.setAttribute(PRINCIPAL_ATTRIBUTE, principal);
    if (method != null) {
      authorize(method, principal);
    }
    return true;
  }

  /**
   * The principal of an {@code Authorization: Bearer <api-key>} header; a 401 problem when it is
   * missing, malformed, unknown or revoked. Also used by the codec server.
   */
  public ApiKeyPrincipal authenticate(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw ApiProblem.unauthenticated("An API key is required: Authorization: Bearer <api-key>");
    }
    if (authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw ApiProblem.unauthenticated("The Authorization header must use the Bearer scheme");
    }
    String key = authorization.substring(BEARER.length()).trim();
    if (key.isEmpty() || key.length() > 512) {
      throw ApiProblem.unauthenticated("The API key is unknown or revoked");
    }
    return tenants.authenticate(key)
        .orElseThrow(() -> ApiProblem.unauthenticated("The API key is unknown or revoked"));
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
