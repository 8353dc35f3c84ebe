package dev.relay.api.problems;

import dev.relay.store.sealed.DataErasedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowServiceException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.ConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every error into an RFC 9457 problem document: Relay's own {@link ApiProblem}s, Spring
 * MVC's standard exceptions (405, 415, 404, ...), unreadable JSON, and infrastructure outages
 * (Temporal or PostgreSQL down → 503). Anything unexpected is a 500 that leaks no internals.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  @ExceptionHandler(ApiProblem.class)
  ResponseEntity<ProblemDetail> handleApiProblem(ApiProblem e, HttpServletRequest request) {
    ProblemDetail body = problem(e.type(), e.getMessage(), request);
    if (!e.errors().isEmpty()) {
      body.setProperty("errors", e.errors());
    }
    e.properties().forEach(body::setProperty);
    return ResponseEntity.status(e.type().status()).headers(e.headers()).body(body);
  }

  @ExceptionHandler({WorkflowServiceException.class, StatusRuntimeException.class})
  ResponseEntity<ProblemDetail> handleTemporalDown(RuntimeException e, HttpServletRequest request) {
    log.warn("Temporal call failed on {} {}: {}", request.getMethod(), request.getRequestURI(),
        e.toString());
    return handleApiProblem(
        ApiProblem.unavailable("The workflow service is unavailable; try again later", 5), request);
  }

  @ExceptionHandler(ConnectionException.class)
  ResponseEntity<ProblemDetail> handleDatabaseDown(Exception e, HttpServletRequest request) {
    log.warn("database unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(),
        e.toString());
    return handleApiProblem(
        ApiProblem.unavailable("The database is unavailable; try again later", 5), request);
  }

  /** Data whose key was destroyed is gone on purpose: a 410, never a 500. */
  @ExceptionHandler(DataErasedException.class)
  ResponseEntity<ProblemDetail> handleErased(DataErasedException e, HttpServletRequest request) {
    return handleApiProblem(new ApiProblem(ProblemType.ERASED, e.recipientId() == null
        ? "The tenant's data keys were destroyed; this data can no longer be read"
        : "Recipient '" + e.recipientId() + "' was erased; this data can no longer be read"),
        request);
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> handleUnexpected(Exception e, HttpServletRequest request) {
    if (isDatabaseUnavailable(e)) {
      // A pooled connection cut by a database restart surfaces as a statement failure.
      return handleDatabaseDown(e, request);
    }
    log.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
    return handleApiProblem(new ApiProblem(ProblemType.INTERNAL,
        "An unexpected error occurred; it has been logged"), request);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
      HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ProblemDetail body;
    JacksonException jackson = findCause(ex, JacksonException.class);
    if (jackson instanceof DatabindException && !jackson.getPath().isEmpty()) {
      String field = path(jackson);
      String message = fieldMessage(jackson);
      body = problem(ProblemType.VALIDATION, "Invalid field(s): " + field, request);
      body.setProperty("errors", List.of(new FieldProblem(field, message)));
    } else if (jackson instanceof DatabindException) {
      body = problem(ProblemType.MALFORMED_REQUEST,
          "The request body does not have the expected shape (a JSON object): "
              + firstLine(jackson.getOriginalMessage()), request);
    } else if (jackson != null) {
      TokenStreamLocation at = jackson.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      body = problem(ProblemType.MALFORMED_REQUEST,
          "Malformed JSON" + where + ": " + firstLine(jackson.getOriginalMessage()), request);
    } else {
      String detail = ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")
          ? "The request body is missing"
          : "The request body could not be read";
      body = problem(ProblemType.MALFORMED_REQUEST, detail, request);
    }
    return new ResponseEntity<>(body, headers, HttpStatus.BAD_REQUEST);
  }

  /**
   * Tomcat refuses to parse a malformed query string or form body (a chunk such as {@code &=}
   * without a name, bad %-encoding) when a parameter is first read.
   */
  @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
  ResponseEntity<ProblemDetail> handleMalformedParameters(RuntimeException e,
      HttpServletRequest request) {
    return handleApiProblem(new ApiProblem(ProblemType.MALFORMED_REQUEST,
        "The query string or form body is malformed: every parameter needs a name, and names "
            + "and values must be valid %-encoded UTF-8 (" + firstLine(e.getMessage()) + ")"),
        request);
  }

  /** What is wrong with one field of a body that did not bind. */
  public static String fieldMessage(JacksonException e) {
    if (e instanceof UnrecognizedPropertyException) {
      return "is not a known field";
    }
    return "has the wrong type or format: " + firstLine(e.getOriginalMessage());
  }

  /**
   * A multipart request the container cannot read: a multipart Content-Type without a boundary
   * (on any method: Spring parses multipart before it picks the handler), a truncated body, a
   * part that is not a part. (Too large is the 413 of handleMaxUploadSizeExceededException.)
   */
  @ExceptionHandler(MultipartException.class)
  ResponseEntity<ProblemDetail> handleMalformedMultipart(MultipartException e,
      HttpServletRequest request) {
    String type = request.getContentType();
    String detail = type != null && !type.toLowerCase(java.util.Locale.ROOT).contains("boundary=")
        ? "The multipart Content-Type has no boundary parameter; send e.g. "
            + "'multipart/form-data; boundary=...' (HTTP clients set it for you), or no "
            + "multipart Content-Type on a request without a multipart body"
        : "The multipart body could not be read: each part needs its boundary line, headers "
            + "with a Content-Disposition name, and the closing boundary";
    return handleApiProblem(new ApiProblem(ProblemType.MALFORMED_REQUEST, detail), request);
  }

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
      HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    List<FieldProblem> errors = new ArrayList<>();
    ex.getBindingResult().getFieldErrors()
        .forEach(f -> errors.add(new FieldProblem(f.getField(), f.getDefaultMessage())));
    ex.getBindingResult().getGlobalErrors()
        .forEach(g -> errors.add(new FieldProblem(g.getObjectName(), g.getDefaultMessage())));
    ProblemDetail body = problem(ProblemType.VALIDATION, "Invalid field(s)", request);
    body.setProperty("errors", errors);
    return new ResponseEntity<>(body, headers, HttpStatus.BAD_REQUEST);
  }

  @Override
  protected ResponseEntity<Object> handleMissingServletRequestParameter(
      MissingServletRequestParameterException ex, HttpHeaders headers, HttpStatusCode status,
      WebRequest request) {
    ProblemDetail body = problem(ProblemType.VALIDATION,
        "Invalid field(s): " + ex.getParameterName(), request);
    body.setProperty("errors", List.of(new FieldProblem(ex.getParameterName(), "is required")));
    return new ResponseEntity<>(body, headers, HttpStatus.BAD_REQUEST);
  }

  @Override
  protected ResponseEntity<Object> handleMissingServletRequestPart(
      MissingServletRequestPartException ex, HttpHeaders headers, HttpStatusCode status,
      WebRequest request) {
    ProblemDetail body = problem(ProblemType.VALIDATION,
        "Invalid field(s): " + ex.getRequestPartName(), request);
    body.setProperty("errors",
        List.of(new FieldProblem(ex.getRequestPartName(), "is required (multipart part)")));
    return new ResponseEntity<>(body, headers, HttpStatus.BAD_REQUEST);
  }

  @Override
  protected ResponseEntity<Object> handleMaxUploadSizeExceededException(
      MaxUploadSizeExceededException ex, HttpHeaders headers, HttpStatusCode status,
      WebRequest request) {
    ProblemDetail body = problem(ProblemType.PAYLOAD_TOO_LARGE,
        "The upload is larger than the allowed maximum", request);
    return new ResponseEntity<>(body, headers, ProblemType.PAYLOAD_TOO_LARGE.status());
  }

  /** Every other standard MVC exception: keep Spring's status and detail, set Relay's type. */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body,
      HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
    if (body instanceof ProblemDetail pd) {
      decorate(pd, statusCode.value(), request);
    } else if (body == null) {
      ProblemType type = ProblemType.forStatus(statusCode.value());
      ProblemDetail pd = ProblemDetail.forStatusAndDetail(statusCode, type.title());
      decorate(pd, statusCode.value(), request);
      body = pd;
    }
    return super.handleExceptionInternal(ex, body, headers, statusCode, request);
  }

  private static void decorate(ProblemDetail pd, int status, WebRequest request) {
    ProblemType type = ProblemType.forStatus(status);
    if (pd.getType() == null || "about:blank".equals(pd.getType().toString())) {
      pd.setType(type.uri());
    }
    if (pd.getTitle() == null) {
      pd.setTitle(type.title());
    }
    if (pd.getInstance() == null && request instanceof ServletWebRequest swr) {
      pd.setInstance(safeUri(swr.getRequest().getRequestURI()));
    }
  }

  static ProblemDetail problem(ProblemType type, String detail, HttpServletRequest request) {
    ProblemDetail pd = ProblemDetail.forStatusAndDetail(type.status(), detail);
    pd.setType(type.uri());
    pd.setTitle(type.title());
    if (request != null) {
      pd.setInstance(safeUri(request.getRequestURI()));
    }
    return pd;
  }

  private static ProblemDetail problem(ProblemType type, String detail, WebRequest request) {
    return problem(type, detail,
        request instanceof ServletWebRequest swr ? swr.getRequest() : null);
  }

  /** A JSON path such as {@code contacts[0].verified} for a Jackson error. */
  public static String path(JacksonException e) {
    StringBuilder sb = new StringBuilder();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.isEmpty() ? "body" : sb.toString();
  }

  static URI safeUri(String path) {
    try {
      return path == null ? null : URI.create(path);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }

  private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /** Whether a Temporal failure means "the service could not be reached" (vs. a real answer). */
  public static boolean isUnavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StatusRuntimeException sre) {
        Status.Code code = sre.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
            || code == Status.Code.RESOURCE_EXHAUSTED || code == Status.Code.CANCELLED;
      }
    }
    return false;
  }

  /**
   * Whether a failure means the database is unreachable or going away: SQLSTATE class 08
   * (connection exception) or 57P01-57P03 (admin/crash shutdown, cannot connect now).
   */
  public static boolean isDatabaseUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
