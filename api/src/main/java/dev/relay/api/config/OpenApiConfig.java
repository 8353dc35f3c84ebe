package dev.relay.api.config;

import dev.relay.store.tenant.ApiKeyPrincipal;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.SpringDocCustomizers;
import org.springdoc.core.properties.SpringDocConfigProperties;
import org.springdoc.core.providers.SpringDocProviders;
import org.springdoc.core.service.AbstractRequestService;
import org.springdoc.core.service.GenericResponseService;
import org.springdoc.core.service.OpenAPIService;
import org.springdoc.core.service.OperationService;
import org.springdoc.core.utils.SpringDocUtils;
import org.springdoc.webmvc.api.OpenApiWebMvcResource;
import org.springframework.beans.factory.ObjectFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document and Swagger UI. Swagger UI and the document it shows are on the management
 * port only ({@code springdoc.use-management-port}: {@code /actuator/swagger-ui},
 * {@code /actuator/openapi}); the public port keeps the document at {@code /v3/api-docs}, the
 * contract clients generate from ({@link #publicApiDocs}).
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfig {
  public static final String BEARER = "apiKey";
  static final String PROBLEM = "Problem";

  static {
    // Resolved from the Authorization header, not a request parameter.
    SpringDocUtils.getConfig().addRequestWrapperToIgnore(ApiKeyPrincipal.class);
  }

  /**
   * {@code /v3/api-docs} on the public port. springdoc serves it only on the management port once
   * {@code springdoc.use-management-port} moves Swagger UI there; the document is the API's public
   * contract, so it stays where clients (and the generated client, and schemathesis) read it.
   */
  @Bean
  @ConditionalOnProperty(name = "springdoc.use-management-port", havingValue = "true")
  OpenApiWebMvcResource publicApiDocs(ObjectFactory<OpenAPIService> openApiService,
      AbstractRequestService requests, GenericResponseService responses,
      OperationService operations, SpringDocConfigProperties properties,
      SpringDocProviders providers, SpringDocCustomizers customizers) {
    return new OpenApiWebMvcResource(openApiService, requests, responses, operations, properties,
        providers, customizers);
  }

  /** Every operation may answer an RFC 9457 problem document for 4xx and 5xx. */
  @Bean
  OpenApiCustomizer problemResponses() {
    return openApi -> {
      openApi.getComponents().addSchemas(PROBLEM, new ObjectSchema()
          .description("RFC 9457 problem details")
          .addProperty("type", new StringSchema().format("uri")
              .example("https://relay.dev/problems/validation"))
          .addProperty("title", new StringSchema())
          .addProperty("status", new IntegerSchema())
          .addProperty("detail", new StringSchema())
          .addProperty("instance", new StringSchema().format("uri-reference"))
          .addProperty("errors", new ArraySchema()
              .description("validation problems: each bad field and what is wrong with it")
              .items(new ObjectSchema()
                  .addProperty("field", new StringSchema())
                  .addProperty("message", new StringSchema()))));
      Content problem = new Content().addMediaType("application/problem+json",
          new io.swagger.v3.oas.models.media.MediaType()
              .schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)));
      openApi.getPaths().values().forEach(path -> path.readOperations().forEach(op -> {
        op.getResponses().addApiResponse("4XX",
            new ApiResponse().description("Client error (problem document)").content(problem));
        op.getResponses().addApiResponse("5XX",
            new ApiResponse().description("Server or dependency error (problem document)").content(problem));
      }));
    };
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
