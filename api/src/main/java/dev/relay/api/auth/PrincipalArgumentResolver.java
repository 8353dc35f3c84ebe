package dev.relay.api.auth;

import dev.relay.api.problems.ApiProblem;
import dev.relay.store.tenant.ApiKeyPrincipal;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Hands the authenticated {@link ApiKeyPrincipal} to controller methods that declare it. */
public class PrincipalArgumentResolver implements HandlerMethodArgumentResolver {

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return ApiKeyPrincipal.class.equals(parameter.getParameterType());
  }

  @Override
  public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
      NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
    Object principal = webRequest.getAttribute(ApiKeyInterceptor.PRINCIPAL_ATTRIBUTE,
        RequestAttributes.SCOPE_REQUEST);
    if (principal == null) {
      throw ApiProblem.unauthenticated("An API key is required: Authorization: Bearer <api-key>");
    }
    return principal;
  }
}
