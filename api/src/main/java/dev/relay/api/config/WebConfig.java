package dev.relay.api.config;

import dev.relay.api.auth.ApiKeyInterceptor;
import dev.relay.api.auth.PrincipalArgumentResolver;
import dev.relay.api.limits.RateLimitInterceptor;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
public class WebConfig implements WebMvcConfigurer {
  private final ApiKeyInterceptor apiKeys;
  private final RateLimitInterceptor rateLimits;
  private final CodecServerProperties codecServer;

  public WebConfig(ApiKeyInterceptor apiKeys, RateLimitInterceptor rateLimits,
      CodecServerProperties codecServer) {
    this.apiKeys = apiKeys;
    this.rateLimits = rateLimits;
    this.codecServer = codecServer;
  }

  /**
   * The Temporal Web UI calls the codec server from the browser: its origin may POST with the
   * headers the UI sends (Content-Type, X-Namespace; Authorization when it passes a token) and
   * with credentials (the sign-in cookie). Only the configured origins; no wildcard.
   */
  @Override
  public void addCorsMappings(CorsRegistry registry) {
    if (codecServer.allowedOrigins().isEmpty()) {
      return;
    }
    registry.addMapping("/codec/**")
        .allowedOrigins(codecServer.allowedOrigins().toArray(String[]::new))
        .allowedMethods("POST", "OPTIONS")
        .allowedHeaders("Authorization", "Authorization-Extras", "X-Namespace", "Content-Type")
        .allowCredentials(true)
        .maxAge(600);
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(apiKeys).addPathPatterns("/v1", "/v1/**");
    // After authentication: limits are per key and per tenant.
    registry.addInterceptor(rateLimits).addPathPatterns("/v1", "/v1/**");
  }

  @Override
  public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    resolvers.add(new PrincipalArgumentResolver());
  }
}
