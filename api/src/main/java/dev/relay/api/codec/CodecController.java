package dev.relay.api.codec;

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

  @Operation(summary = "Open sealed payloads (Temporal remote codec protocol)")
  @PostMapping(path = "/decode", consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<String> decode(@RequestBody(required = false) String body,
      @RequestHeader(name = NAMESPACE_HEADER, required = false) String namespace,
      HttpServletRequest request) {
    return run(CodecServer.Operation.DECODE, body, namespace, request);
  }

  @Operation(summary = "Seal payloads (Temporal remote codec protocol)")
  @PostMapping(path = "/encode", consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<String> encode(@RequestBody(required = false) String body,
      @RequestHeader(name = NAMESPACE_HEADER, required = false) String namespace,
      HttpServletRequest request) {
    return run(CodecServer.Operation.ENCODE, body, namespace, request);
  }

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
