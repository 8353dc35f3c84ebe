package dev.relay.api.config;

import dev.relay.api.auth.Allowed;
import dev.relay.api.auth.Unauthenticated;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import dev.relay.templates.SafeTemplates;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.NumberSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.SpringDocCustomizers;
import org.springdoc.core.properties.SpringDocConfigProperties;
import org.springdoc.core.providers.SpringDocProviders;
import org.springdoc.core.service.AbstractRequestService;
import org.springdoc.core.service.GenericResponseService;
import org.springdoc.core.service.OpenAPIService;
import org.springdoc.core.service.OperationService;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.customizers.PropertyCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springdoc.webmvc.api.OpenApiWebMvcResource;
import org.springframework.beans.factory.ObjectFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.method.HandlerMethod;

/**
 * The OpenAPI document and Swagger UI. Swagger UI and the document it shows are on the management
 * port only ({@code springdoc.use-management-port}: {@code /actuator/swagger-ui},
 * {@code /actuator/openapi}); the public port keeps the document at {@code /v3/api-docs}, the
 * contract clients generate from ({@link #publicApiDocs}).
 *
 * <p>The document is the contract a generated client and the fuzzer (scripts/fuzz-api.sh) hold
 * the API to, so every operation lists each status it can answer, not a {@code 4XX} range:
 * <ul>
 *   <li>derived here from the code that produces them, so they cannot drift: 400 for every
 *       operation (any request can be malformed), 401 for everything behind an API key, 403 when
 *       {@link Allowed} leaves a role out, 415 for a request body, 503 for everything that reads
 *       PostgreSQL or calls Temporal;
 *   <li>declared on the controller method with {@code @ApiResponse} where only the handler knows
 *       (404, 409, 413, 422): this customizer gives them the problem document.
 * </ul>
 * Every error is an RFC 9457 problem document ({@code application/problem+json}).
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfig {
  public static final String BEARER = "apiKey";
  static final String PROBLEM = "Problem";
  static final String PROBLEM_JSON = "application/problem+json";
  /** The schema of a delivery's template variables, shared by the single and the batch POST. */
  public static final String TEMPLATE_VARIABLES = "TemplateVariables";
  static final String TEMPLATE_VARIABLE = "TemplateVariable";
  static final String TEMPLATE_SCALAR = "TemplateScalar";
  static final String TEMPLATE_ROW = "TemplateRow";

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

  /** The statuses every operation can answer, and why; derived from the handler method. */
  @Bean
  OperationCustomizer problemResponses() {
    return (operation, handler) -> {
      ApiResponses responses = operation.getResponses();
      // Any request can be malformed (a multipart Content-Type without a boundary is refused
      // before the handler is chosen), so every operation answers 400.
      add(responses, "400", "The request is malformed or a value is invalid: `detail` says what, "
          + "`errors` names each bad field, parameter or header and what it must be");
      String path = path(handler);
      boolean apiKey = path.startsWith("/v1") && !annotated(handler, Unauthenticated.class);
      if (apiKey) {
        add(responses, "401", "No API key, or an unknown or revoked one: send "
            + "`Authorization: Bearer <api-key>`");
        Set<Role> allowed = allowed(handler);
        if (!allowed.containsAll(EnumSet.allOf(Role.class))) {
          add(responses, "403", "The key's role may not do this (allowed: "
              + allowed.stream().map(Role::name).sorted().collect(Collectors.joining(", ")) + ")");
        }
        // The request limits of the key and its tenant (RateLimitInterceptor), a delivery quota,
        // or too many failed authentications from this client address (FailedAuthThrottle).
        ApiResponse limited = add(responses, "429", "A limit is used up: the key's or the "
            + "tenant's request rate, a delivery quota of the channel, or failed authentications "
            + "from this address; `limit` names it. Retry after `Retry-After` seconds");
        limited.addHeaderObject("Retry-After", new Header()
            .description("Seconds to wait before retrying")
            .schema(new IntegerSchema().minimum(java.math.BigDecimal.ZERO)));
        limited.addHeaderObject(dev.relay.api.limits.RateLimits.RATE_LIMIT_POLICY, new Header()
            .description("The limit's policy (IETF RateLimit header fields draft)")
            .schema(new StringSchema()));
        limited.addHeaderObject(dev.relay.api.limits.RateLimits.RATE_LIMIT, new Header()
            .description("What is left of the limit and when it resets")
            .schema(new StringSchema()));
      }
      if (operation.getRequestBody() != null) {
        String types = operation.getRequestBody().getContent() == null ? "the documented type"
            : String.join(" or ", operation.getRequestBody().getContent().keySet());
        add(responses, "415", "The Content-Type is not " + types);
      }
      ApiResponse unavailable = add(responses, "503",
          "PostgreSQL or the workflow service is unavailable; retry after `Retry-After` seconds");
      unavailable.addHeaderObject("Retry-After", new Header()
          .description("Seconds to wait before retrying")
          .schema(new IntegerSchema().minimum(java.math.BigDecimal.ZERO)));
      // Statuses the method declared (404, 409, 413, 422, ...) are problem documents too.
      responses.forEach((code, response) -> {
        if (code.startsWith("4") || code.startsWith("5")) {
          response.setContent(problemContent());
        }
      });
      operation.setResponses(sorted(responses));
      return operation;
    };
  }

  /**
   * A {@code @Nullable} property that refers to another schema: swagger marks scalars nullable by
   * itself, but a {@code $ref} needs "that schema, or null" spelled out.
   */
  @Bean
  PropertyCustomizer nullableReferences() {
    return (property, type) -> {
      boolean nullable = type.getCtxAnnotations() != null && Arrays.stream(type.getCtxAnnotations())
          .anyMatch(a -> a.annotationType() == jakarta.annotation.Nullable.class);
      if (nullable && property != null && property.get$ref() != null) {
        Schema<?> either = new Schema<>();
        either.anyOf(List.of(new Schema<>().$ref(property.get$ref()),
            new Schema<>().types(Set.of("null"))));
        return either;
      }
      return property;
    };
  }

  private static void noNulInPlainStrings(Schema<?> schema) {
    if (schema.getProperties() != null) {
      schema.getProperties().values().forEach(property -> {
        noNulInPlainString(property);
        if (property.getItems() != null) {
          noNulInPlainString(property.getItems());
        }
      });
    }
  }

  /** A string with no pattern, enum or format gets the no-NUL pattern. */
  private static void noNulInPlainString(Schema<?> s) {
    boolean string = s != null && ("string".equals(s.getType())
        || (s.getTypes() != null && s.getTypes().contains("string")));
    if (string && s.getPattern() == null && s.getEnum() == null && s.getFormat() == null
        && s.get$ref() == null) {
      s.setPattern(dev.relay.api.problems.Checks.NO_NUL_REGEX);
    }
  }

  /** Components shared by operations: the problem document and the template variables. */
  @Bean
  OpenApiCustomizer sharedSchemas() {
    return openApi -> {
      Components components = openApi.getComponents();
      components.addSchemas(PROBLEM, problemSchema());
      Schema<?> scalar = new Schema<>().description("A string (at most "
              + SafeTemplates.MAX_STRING + " characters), a number or a boolean")
          .anyOf(List.of(new StringSchema().maxLength(SafeTemplates.MAX_STRING)
                  .pattern(dev.relay.api.problems.Checks.NO_NUL_REGEX),
              new NumberSchema(), new BooleanSchema()));
      components.addSchemas(TEMPLATE_SCALAR, scalar);
      components.addSchemas(TEMPLATE_ROW, new ObjectSchema()
          .description("A flat object (a row for a section): at most "
              + SafeTemplates.MAX_OBJECT_KEYS + " scalars")
          .maxProperties(SafeTemplates.MAX_OBJECT_KEYS)
          .additionalProperties(ref(TEMPLATE_SCALAR)));
      Schema<?> rowsOrScalars = new ArraySchema().maxItems(SafeTemplates.MAX_LIST_ITEMS)
          .items(new Schema<>().anyOf(List.of(ref(TEMPLATE_SCALAR), ref(TEMPLATE_ROW))));
      Schema<?> scalars = new ArraySchema().maxItems(SafeTemplates.MAX_LIST_ITEMS)
          .items(ref(TEMPLATE_SCALAR));
      components.addSchemas(TEMPLATE_VARIABLE, new Schema<>()
          .description("A scalar; a list of at most " + SafeTemplates.MAX_LIST_ITEMS
              + " scalars or rows; or an object of at most " + SafeTemplates.MAX_OBJECT_KEYS
              + " scalars, lists of scalars or rows")
          .anyOf(List.of(ref(TEMPLATE_SCALAR), rowsOrScalars, new ObjectSchema()
              .maxProperties(SafeTemplates.MAX_OBJECT_KEYS)
              .additionalProperties(new Schema<>().anyOf(
                  List.of(ref(TEMPLATE_SCALAR), scalars, ref(TEMPLATE_ROW)))))));
      components.addSchemas("CodecMetadata", new Schema<>()
          .types(new java.util.LinkedHashSet<>(List.of("object", "null")))
          .description("Metadata values by name (encoding, encryption key ID, ...), base64; null "
              + "is the same as empty (protobuf JSON)")
          .additionalProperties(new StringSchema().pattern(
              dev.relay.api.codec.CodecController.BASE64)));
      components.addSchemas(TEMPLATE_VARIABLES, new ObjectSchema()
          .description("Template variables by name (missing ones fail the delivery)")
          .maxProperties(dev.relay.api.deliveries.CreateDeliveryRequest.MAX_VARIABLES)
          .propertyNames(new StringSchema().minLength(1).maxLength(100))
          .additionalProperties(ref(TEMPLATE_VARIABLE)));
    };
  }

  /**
   * Rules between fields of request bodies that the record annotations cannot say, written as
   * JSON Schema so the document refuses exactly what the handlers refuse.
   */
  @Bean
  OpenApiCustomizer requestRules() {
    return openApi -> {
      Map<String, Schema> schemas = openApi.getComponents().getSchemas();
      // A Map property pointed at a shared schema keeps swagger's "type: object" next to the
      // $ref; the reference alone says it (and generators refuse siblings of a $ref).
      schemas.values().forEach(schema -> {
        if (schema.getProperties() != null) {
          Map<String, Schema> properties = schema.getProperties();
          properties.replaceAll((name, property) -> property.get$ref() == null ? property
              : new Schema<>().$ref(property.get$ref()));
        }
      });
      // No text field takes U+0000 (JsonConfig refuses it): say so wherever nothing else does.
      // (Not the problem document: its messages may quote what was refused.)
      schemas.forEach((name, schema) -> {
        if (!name.equals(PROBLEM) && !name.equals("FieldProblem")) {
          noNulInPlainStrings(schema);
        }
      });
      if (openApi.getPaths() != null) {
        openApi.getPaths().values().forEach(item -> item.readOperations().forEach(op -> {
          if (op.getParameters() != null) {
            op.getParameters().forEach(p -> noNulInPlainString(p.getSchema()));
          }
        }));
      }
      // The regions libphonenumber knows: the exact set PUT /v1/settings/sms accepts.
      Schema<?> sms = schemas.get("SmsSettingsRequest");
      if (sms != null && sms.getProperties() != null
          && sms.getProperties().get("allowedRegions") != null) {
        sms.getProperties().get("allowedRegions").setItems(new StringSchema()._enum(
            dev.relay.guard.sms.SmsDestinations.supportedRegions()));
      }
      Schema<?> twilio = schemas.get("TwilioStatusForm");
      if (twilio != null) {
        // Other fields are Twilio's and ignored, but every form parameter has a name.
        twilio.propertyNames(new StringSchema().minLength(1));
      }
      Schema<?> template = schemas.get("TemplateRequest");
      if (template != null) {
        // A body: SMS, or an email text part (HTML needs the text part); email needs a subject.
        template.anyOf(List.of(new Schema<>().required(List.of("smsBody")),
            new Schema<>().required(List.of("textBody"))));
        template.dependentRequired(Map.of("htmlBody", List.of("textBody"),
            "textBody", List.of("subject")));
      }
      Schema<?> action = schemas.get("ActionRequest");
      if (action != null) {
        action.allOf(List.of(
            new Schema<>()._if(whenAction("REROUTE"))
                .then(new Schema<>().required(List.of("channel")))
                ._else(new Schema<>().not(new Schema<>().required(List.of("channel")))),
            new Schema<>()._if(whenAction("MARK_DELIVERED"))
                .then(new Schema<>().required(List.of("evidence")).addProperty("evidence",
                    new StringSchema().pattern(dev.relay.api.problems.Checks.TEXT_REGEX)))));
      }
      Schema<?> consent = schemas.get("ConsentRequest");
      if (consent != null && consent.getProperties() != null) {
        Schema<?> channels = consent.getProperties().get("channels");
        channels.propertyNames(new StringSchema()._enum(List.of("EMAIL", "SMS")))
            .additionalProperties(new BooleanSchema());
      }
      Schema<?> recipient = schemas.get("RecipientRequest");
      if (recipient != null && recipient.getProperties() != null) {
        // At most one contact point per channel (with at most two items: not both the same).
        Schema<?> contacts = recipient.getProperties().get("contacts");
        contacts.allOf(List.of(sameChannelTwice("EMAIL"), sameChannelTwice("SMS")));
      }
      Schema<?> contact = schemas.get("Contact");
      if (contact != null) {
        contact.allOf(List.of(
            new Schema<>()._if(whenChannel("EMAIL")).then(new Schema<>().addProperty("address",
                new StringSchema().maxLength(254).pattern(
                    dev.relay.api.recipients.RecipientRequest.EMAIL_REGEX))),
            new Schema<>()._if(whenChannel("SMS")).then(new Schema<>().addProperty("address",
                new StringSchema().pattern(dev.relay.api.recipients.RecipientRequest.E164_REGEX)))));
      }
    };
  }

  private static Schema<?> whenAction(String value) {
    return new Schema<>().required(List.of("action"))
        .addProperty("action", new Schema<>()._const(value));
  }

  private static Schema<?> whenChannel(String value) {
    return new Schema<>().required(List.of("channel"))
        .addProperty("channel", new Schema<>()._const(value));
  }

  private static Schema<?> sameChannelTwice(String channel) {
    return new Schema<>().not(new ArraySchema().minItems(2)
        .items(new Schema<>().required(List.of("channel"))
            .addProperty("channel", new Schema<>()._const(channel))));
  }

  /** The codec server opens one namespace's payloads: the header names it or is left out. */
  @Bean
  OpenApiCustomizer codecNamespace(RelayProperties relay) {
    return openApi -> openApi.getPaths().forEach((path, item) -> {
      if (path.startsWith("/codec/")) {
        item.readOperations().forEach(op -> op.getParameters().stream()
            .filter(p -> "X-Namespace".equals(p.getName()))
            .forEach(p -> p.setSchema(new StringSchema()._enum(
                List.of(relay.temporal().namespace(), "")))));
      }
    });
  }

  @Bean
  OpenAPI relayOpenApi() {
    return new OpenAPI()
        .info(new Info().title("Relay API").version("v1")
            .description("Resilient recipient delivery: accept deliveries, manage recipients, "
                + "consent, templates and documents, act on deliveries that need attention. "
                + "Errors are RFC 9457 problem documents (application/problem+json) whose "
                + "`type` names the problem and whose `errors` name each bad input."))
        .components(new Components().addSecuritySchemes(BEARER, new SecurityScheme()
            .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("API key")
            .description("Authorization: Bearer <api-key>")))
        .addSecurityItem(new SecurityRequirement().addList(BEARER));
  }

  static Schema<?> problemSchema() {
    return new ObjectSchema()
        .description("RFC 9457 problem details")
        .addProperty("type", new StringSchema().format("uri")
            .description("What went wrong; clients switch on this")
            .example("https://relay.dev/problems/validation"))
        .addProperty("title", new StringSchema())
        .addProperty("status", new IntegerSchema().minimum(java.math.BigDecimal.valueOf(400))
            .maximum(java.math.BigDecimal.valueOf(599)))
        .addProperty("detail", new StringSchema()
            .description("What was wrong with this request and how to fix it"))
        .addProperty("instance", new StringSchema().format("uri-reference"))
        .addProperty("errors", new ArraySchema()
            .description("validation problems: each bad field and what is wrong with it")
            .items(new ObjectSchema()
                .addProperty("field", new StringSchema())
                .addProperty("message", new StringSchema())
                .required(List.of("field", "message"))))
        .required(List.of("type", "title", "status"));
  }

  private static Content problemContent() {
    return new Content().addMediaType(PROBLEM_JSON, new io.swagger.v3.oas.models.media.MediaType()
        .schema(ref(PROBLEM)));
  }

  private static Schema<?> ref(String name) {
    return new Schema<>().$ref("#/components/schemas/" + name);
  }

  private static ApiResponse add(ApiResponses responses, String code, String description) {
    ApiResponse existing = responses.get(code);
    if (existing != null && existing.getDescription() != null
        && !existing.getDescription().isBlank() && !isSpringDefault(existing.getDescription())) {
      return existing;
    }
    ApiResponse response = new ApiResponse().description(description);
    responses.addApiResponse(code, response);
    return response;
  }

  private static boolean isSpringDefault(String description) {
    return switch (description) {
      case "Bad Request", "Unauthorized", "Forbidden", "Not Found", "Conflict",
           "Unsupported Media Type", "Service Unavailable" -> true;
      default -> false;
    };
  }

  private static ApiResponses sorted(ApiResponses responses) {
    ApiResponses out = new ApiResponses();
    new TreeMap<>(responses).forEach(out::addApiResponse);
    out.setExtensions(responses.getExtensions());
    return out;
  }

  private static String path(HandlerMethod handler) {
    RequestMapping type = AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(),
        RequestMapping.class);
    RequestMapping method = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(),
        RequestMapping.class);
    String base = type == null || type.path().length == 0 ? "" : type.path()[0];
    String own = method == null || method.path().length == 0 ? "" : method.path()[0];
    return base + own;
  }

  private static boolean annotated(HandlerMethod handler,
      Class<? extends java.lang.annotation.Annotation> annotation) {
    return AnnotatedElementUtils.hasAnnotation(handler.getMethod(), annotation)
        || AnnotatedElementUtils.hasAnnotation(handler.getBeanType(), annotation);
  }

  /** The roles {@code ApiKeyInterceptor} lets through: the declared ones, and ADMIN always. */
  private static Set<Role> allowed(HandlerMethod handler) {
    Allowed allowed = Optional
        .ofNullable(AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), Allowed.class))
        .orElseGet(() -> AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(),
            Allowed.class));
    Set<Role> roles = EnumSet.of(Role.ADMIN);
    if (allowed != null) {
      roles.addAll(Arrays.asList(allowed.value()));
    }
    return roles;
  }
}
