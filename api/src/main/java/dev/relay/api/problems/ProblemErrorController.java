package dev.relay.api.problems;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors that never reach Spring MVC's handlers (the servlet container's own 400s, errors in
 * filters) land on {@code /error}; they get a problem document too, never an HTML page.
 */
@Hidden
@RestController
public class ProblemErrorController implements ErrorController {

  @RequestMapping(value = "/error", produces = {MediaType.APPLICATION_PROBLEM_JSON_VALUE,
      MediaType.APPLICATION_JSON_VALUE, MediaType.ALL_VALUE})
  ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer i ? i : 500;
    if (status < 400) {
      status = 500;
    }
    ProblemType type = ProblemType.forStatus(status);
    HttpStatus resolved = HttpStatus.resolve(status);
    ProblemDetail body = ProblemDetail.forStatusAndDetail(
        resolved == null ? HttpStatus.INTERNAL_SERVER_ERROR : resolved,
        status >= 500 ? "An unexpected error occurred" : type.title());
    body.setType(type.uri());
    body.setTitle(type.title());
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    if (uri instanceof String s) {
      body.setInstance(ProblemHandler.safeUri(s));
    }
    return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
  }
}
