package dev.relay.api.config;

import dev.relay.store.tenant.ApiKeyPrincipal;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document ({@code /v3/api-docs}) and Swagger UI ({@code /swagger-ui.html}). */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfig {
  public static final String BEARER = "apiKey";

  static {
    // Resolved from the Authorization header, not a request parameter.
    SpringDocUtils.getConfig().addRequestWrapperToIgnore(ApiKeyPrincipal.class);
  }

  @Bean
  OpenAPI relayOpenApi() {
    return new OpenAPI()
        .info(new Info().title("Relay API").version("v1")
            .description("Resilient recipient delivery: accept deliveries, manage recipients, "
                + "consent, templates and documents, act on deliveries that need attention. "
                + "Errors are RFC 9457 problem documents (application/problem+json)."))
        .components(new Components().addSecuritySchemes(BEARER, new SecurityScheme()
            .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("API key")
            .description("Authorization: Bearer <api-key>")))
        .addSecurityItem(new SecurityRequirement().addList(BEARER));
  }
}
