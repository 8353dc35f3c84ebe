package dev.relay.api.problems;

import java.net.URI;
import org.springframework.http.HttpStatus;

/**
 * The problem types Relay answers with (RFC 9457 {@code type}). Clients switch on the type, not
 * on the title or detail text.
 */
public enum ProblemType {
  VALIDATION("validation", HttpStatus.BAD_REQUEST, "The request is not valid"),
  MALFORMED_REQUEST("malformed-request", HttpStatus.BAD_REQUEST, "The request could not be read"),
  UNAUTHENTICATED("unauthenticated", HttpStatus.UNAUTHORIZED, "Authentication required"),
  FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "Not allowed"),
  INVALID_SIGNATURE("invalid-signature", HttpStatus.FORBIDDEN, "Invalid webhook signature"),
  NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found"),
  METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
  NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
  INVALID_STATE("invalid-state", HttpStatus.CONFLICT, "Not possible in the current state"),
  /** Crypto-shredded: the data key that sealed it was destroyed (an erasure), for good. */
  ERASED("erased", HttpStatus.GONE, "The data was erased"),
  PAYLOAD_TOO_LARGE("payload-too-large", HttpStatus.CONTENT_TOO_LARGE, "Payload too large"),
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      "Unsupported media type"),
  IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", HttpStatus.UNPROCESSABLE_CONTENT,
      "Idempotency key already used for a different request"),
  UNPROCESSABLE_VALUE("unprocessable-value", HttpStatus.UNPROCESSABLE_CONTENT,
      "A value is well-formed but cannot be used"),
  UNKNOWN_REFERENCE("unknown-reference", HttpStatus.UNPROCESSABLE_CONTENT,
      "The request refers to something that does not exist"),
  DESTINATION_REFUSED("destination-refused", HttpStatus.UNPROCESSABLE_CONTENT,
      "Relay does not send to that address"),
  /** An SMS number outside the tenant's country allowlist, not valid, or not mobile-capable. */
  SMS_DESTINATION_REFUSED("sms-destination-refused", HttpStatus.UNPROCESSABLE_CONTENT,
      "Relay does not send SMS to that number"),
  /** A contact verification's code was wrong; the problem says how many tries are left. */
  VERIFICATION_CODE_WRONG("verification-code-wrong", HttpStatus.UNPROCESSABLE_CONTENT,
      "The verification code is not right"),
  /** Too many wrong codes: the verification is locked; start a new one. */
  VERIFICATION_LOCKED("verification-locked", HttpStatus.CONFLICT,
      "The verification is locked"),
  /** The code's ten minutes are over: start a new verification. */
  VERIFICATION_EXPIRED("verification-expired", HttpStatus.GONE, "The verification expired"),
  TOO_MANY_REQUESTS("too-many-requests", HttpStatus.TOO_MANY_REQUESTS, "Too many requests"),
  TEMPORARILY_UNAVAILABLE("temporarily-unavailable", HttpStatus.SERVICE_UNAVAILABLE,
      "Temporarily unavailable"),
  TIMEOUT("timeout", HttpStatus.GATEWAY_TIMEOUT, "The outcome is not known yet"),
  INTERNAL("internal", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

  public static final String BASE = "https://relay.dev/problems/";

  private final String slug;
  private final HttpStatus status;
  private final String title;

  ProblemType(String slug, HttpStatus status, String title) {
    this.slug = slug;
    this.status = status;
    this.title = title;
  }

  public URI uri() {
    return URI.create(BASE + slug);
  }

  public HttpStatus status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** The type Relay uses for a bare HTTP status (errors raised by Spring or the container). */
  public static ProblemType forStatus(int status) {
    return switch (status) {
      case 400 -> MALFORMED_REQUEST;
      case 401 -> UNAUTHENTICATED;
      case 403 -> FORBIDDEN;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 406 -> NOT_ACCEPTABLE;
      case 409 -> INVALID_STATE;
      case 413 -> PAYLOAD_TOO_LARGE;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 429 -> TOO_MANY_REQUESTS;
      case 503 -> TEMPORARILY_UNAVAILABLE;
      case 504 -> TIMEOUT;
      default -> status >= 500 ? INTERNAL : MALFORMED_REQUEST;
    };
  }
}
