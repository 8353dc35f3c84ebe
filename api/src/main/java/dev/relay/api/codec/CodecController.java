package dev.relay.api.codec;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.ProblemType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Temporal's remote codec endpoints for operators: the Web UI ({@code --ui-codec-endpoint}) and
 * the CLI ({@code --codec-endpoint}) post payloads to {@code /codec/decode} to read them, the CLI
 * to {@code /codec/encode} to seal what it sends (support actions). CORS for the Web UI's origin
 * is set in WebConfig.
 */
@Tag(name = "codec", description = "Temporal remote codec (operators: support, admin)")
@RestController
@RequestMapping("/codec")
public class CodecController {
  private static final Logger log = LoggerFactory.getLogger(CodecController.class);
  public static final String NAMESPACE_HEADER = "X-Namespace";

  private final CodecAccess access;
  private final CodecServer server;

  public CodecController(CodecAccess access, CodecServer server) {
    this.access = access;
    this.server = server;
  }

  @Operation(operationId = "decodePayloads",
      summary = "Open sealed payloads (Temporal remote codec protocol)",
      description = "Payloads not sealed by Relay come back as they are. A payload labelled with "
          + "a delivery of another tenant is refused (403).")
  @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
      content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
          schema = @Schema(implementation = CodecPayloads.class)))
  @ApiResponse(responseCode = "200", description = "The payloads, opened",
      content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
          schema = @Schema(implementation = CodecPayloads.class)))
  @ApiResponse(responseCode = "401", description = "No operator key or codec sign-in")
  @ApiResponse(responseCode = "429", description = "Too many failed authentications from this "
      + "address; retry after Retry-After seconds")
  @ApiResponse(responseCode = "403", description = "A client key, or a payload of another "
      + "tenant's delivery")
  @ApiResponse(responseCode = "413", description = "More payloads than relay.codec-server.max-payloads")
  @PostMapping(path = "/decode", consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<String> decode(@RequestBody(required = false) String body,
      @Parameter(description = "The Temporal namespace (only this API's)",
          schema = @Schema(type = "string"))
      @RequestHeader(name = NAMESPACE_HEADER, required = false) String namespace,
      HttpServletRequest request) {
    return run(CodecServer.Operation.DECODE, body, namespace, request);
  }

  @Operation(operationId = "encodePayloads",
      summary = "Seal payloads (Temporal remote codec protocol)")
  @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
      content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
          schema = @Schema(implementation = CodecPayloads.class)))
  @ApiResponse(responseCode = "200", description = "The payloads, sealed",
      content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
          schema = @Schema(implementation = CodecPayloads.class)))
  @ApiResponse(responseCode = "401", description = "No operator key or codec sign-in")
  @ApiResponse(responseCode = "429", description = "Too many failed authentications from this "
      + "address; retry after Retry-After seconds")
  @ApiResponse(responseCode = "403", description = "A client key")
  @ApiResponse(responseCode = "413", description = "More payloads than relay.codec-server.max-payloads")
  @PostMapping(path = "/encode", consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<String> encode(@RequestBody(required = false) String body,
      @Parameter(description = "The Temporal namespace (only this API's)",
          schema = @Schema(type = "string"))
      @RequestHeader(name = NAMESPACE_HEADER, required = false) String namespace,
      HttpServletRequest request) {
    return run(CodecServer.Operation.ENCODE, body, namespace, request);
  }

  /** Base64, as protobuf JSON writes bytes (standard alphabet, padded). */
  public static final String BASE64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

  /** Temporal's {@code Payloads} in protobuf JSON, as documented (the body is read as text). */
  @Schema(name = "CodecPayloads", description = "temporal.api.common.v1.Payloads in protobuf JSON")
  public record CodecPayloads(
      @Schema(description = "Left out when empty; null is the same (protobuf JSON)")
      @jakarta.annotation.Nullable java.util.List<CodecPayload> payloads) {}

  @Schema(name = "CodecPayload", description = "temporal.api.common.v1.Payload: metadata and "
      + "data as base64")
  public record CodecPayload(
      @Schema(ref = "#/components/schemas/CodecMetadata") @jakarta.annotation.Nullable
      java.util.Map<String, String> metadata,
      @Schema(types = {"string", "null"}, pattern = BASE64,
          description = "base64; null is the same as empty (protobuf JSON)") String data) {}

  private ResponseEntity<String> run(CodecServer.Operation operation, String body,
      String namespace, HttpServletRequest request) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    CodecCaller caller;
    try {
      caller = access.operator(request);
    } catch (ApiProblem e) {
      server.count(operation, e.type() == ProblemType.FORBIDDEN ? "forbidden" : "unauthenticated",
          "none");
      log.warn("codec {} refused from {} (origin {}): {}",
          operation.name().toLowerCase(java.util.Locale.ROOT),
          request.getRemoteAddr(), origin, e.getMessage());
      throw e;
    }
    String answer = server.handle(operation, body,
        new CodecServer.Context(caller, namespace, origin));
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(answer);
  }
}
