package dev.relay.api.problems;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;

/**
 * An error Relay answers on purpose; the {@link ProblemHandler} turns it into an RFC 9457
 * problem document.
 */
public class ApiProblem extends RuntimeException {
  private final ProblemType type;
  private final List<FieldProblem> errors;
  private final HttpHeaders headers;
  private final Map<String, Object> properties;

  public ApiProblem(ProblemType type, String detail) {
    this(type, detail, List.of(), HttpHeaders.EMPTY);
  }

  public ApiProblem(ProblemType type, String detail, List<FieldProblem> errors, HttpHeaders headers) {
    this(type, detail, errors, headers, Map.of());
  }

  /**
   * @param properties extension members of the problem document (RFC 9457 section 3.2), e.g. the
   *     {@code limit} a 429 names
   */
  public ApiProblem(ProblemType type, String detail, List<FieldProblem> errors, HttpHeaders headers,
      Map<String, Object> properties) {
    super(detail);
    this.type = type;
    this.errors = List.copyOf(errors);
    this.headers = headers;
    this.properties = Map.copyOf(properties);
  }

  public static ApiProblem validation(List<FieldProblem> errors) {
    String fields = String.join(", ", errors.stream().map(FieldProblem::field).distinct().toList());
    return new ApiProblem(ProblemType.VALIDATION, "Invalid field(s): " + fields, errors,
        HttpHeaders.EMPTY);
  }

  public static ApiProblem validation(String field, String message) {
    return validation(List.of(new FieldProblem(field, message)));
  }

  public static ApiProblem notFound(String what, String id) {
    return new ApiProblem(ProblemType.NOT_FOUND, what + " '" + id + "' does not exist");
  }

  public static ApiProblem unauthenticated(String detail) {
    HttpHeaders h = new HttpHeaders();
    h.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"relay\"");
    return new ApiProblem(ProblemType.UNAUTHENTICATED, detail, List.of(), h);
  }

  public static ApiProblem unavailable(String detail, int retryAfterSeconds) {
    HttpHeaders h = new HttpHeaders();
    h.set(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds));
    return new ApiProblem(ProblemType.TEMPORARILY_UNAVAILABLE, detail, List.of(), h);
  }

  public static ApiProblem tooManyRequests(String detail, long retryAfterSeconds) {
    HttpHeaders h = new HttpHeaders();
    h.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfterSeconds)));
    return new ApiProblem(ProblemType.TOO_MANY_REQUESTS, detail, List.of(), h);
  }

  public ProblemType type() {
    return type;
  }

  public List<FieldProblem> errors() {
    return errors;
  }

  public HttpHeaders headers() {
    return headers;
  }

  public Map<String, Object> properties() {
    return properties;
  }
}
