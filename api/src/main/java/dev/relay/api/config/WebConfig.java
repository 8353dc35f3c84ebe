package dev.relay.api.config;

import dev.relay.api.auth.ApiKeyInterceptor;
import dev.relay.api.auth.PrincipalArgumentResolver;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
public class WebConfig implements WebMvcConfigurer {
  private final ApiKeyInterceptor apiKeys;

  public WebConfig(ApiKeyInterceptor apiKeys) {
    this.apiKeys = apiKeys;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(apiKeys).addPathPatterns("/v1", "/v1/**");
  }

  @Override
  public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    resolvers.add(new PrincipalArgumentResolver());
  }
}
