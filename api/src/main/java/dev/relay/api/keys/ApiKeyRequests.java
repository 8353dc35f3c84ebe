package dev.relay.api.keys;

import dev.relay.api.problems.Checks;
import dev.relay.api.problems.DurationText;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/** Bodies of the key endpoints, each with the checks that turn bad input into one 400. */
final class ApiKeyRequests {
  static final int MAX_NAME = 100;
  /** Also the schema's pattern: ASCII letters and digits, so every language reads it alike. */
  static final String NAME_REGEX = "^[A-Za-z0-9][A-Za-z0-9 ._:@/-]{0,99}$";
  private static final Pattern NAME = Pattern.compile(NAME_REGEX);
  static final String DURATION_REGEX = DurationText.REGEX;

  private ApiKeyRequests() {}

  /** {@code POST /v1/api-keys}. */
  @Schema(name = "CreateApiKeyRequest",
      additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  record Create(
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"client", "support", "admin"},
          description = "client: start and read deliveries; support: act on deliveries and read "
              + "payloads through the codec server; admin: everything, including keys")
      String role,
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "billing-service",
          description = "who uses the key (letters, digits, space and . _ : @ / -; up to 100)",
          pattern = NAME_REGEX, maxLength = MAX_NAME)
      String name,
      @Schema(format = "date-time", example = "2027-06-30T00:00:00Z",
          description = "when the key stops working (in the future, else 422); omit for a key "
              + "that works until revoked")
      String expiresAt) {

    Role validRole(Checks checks) {
      return ApiKeyRequests.role(checks, role);
    }

    String validName(Checks checks) {
      if (!checks.required("name", name)) {
        return null;
      }
      if (!NAME.matcher(name).matches()) {
        checks.add("name", "must be 1 to " + MAX_NAME
            + " ASCII letters, digits, spaces or any of . _ : @ / -, starting with a letter or digit");
        return null;
      }
      return name.strip();
    }

    /** The expiry, syntax checked; {@link #requireFuture} is the 422 of a past one. */
    Instant validExpiry(Checks checks) {
      if (expiresAt == null) {
        return null;
      }
      Instant at = dev.relay.api.problems.Rfc3339.parse(expiresAt);
      if (at == null) {
        checks.add("expiresAt", "must be an RFC 3339 time such as 2027-06-30T00:00:00Z");
      }
      return at;
    }

    /** A well-formed expiry in the past cannot be met: 422, like a past delivery deadline. */
    static void requireFuture(Instant expiresAt, Instant now) {
      if (expiresAt != null && !expiresAt.isAfter(now)) {
        throw new dev.relay.api.problems.ApiProblem(
            dev.relay.api.problems.ProblemType.UNPROCESSABLE_VALUE,
            "expiresAt " + expiresAt + " is not in the future; give a later time or omit it",
            java.util.List.of(new dev.relay.api.problems.FieldProblem("expiresAt",
                "must be in the future")),
            org.springframework.http.HttpHeaders.EMPTY);
      }
    }
  }

  /** {@code POST /v1/api-keys/{id}/rotate}; {@code {}} takes the default overlap. */
  @Schema(name = "RotateApiKeyRequest",
      additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  record Rotate(
      @Schema(example = "PT24H", pattern = DURATION_REGEX, description = "how long the old key "
          + "keeps working next to the new one (ISO 8601 duration such as PT24H or P7D, PT0S to "
          + "end it at once; at most relay.auth.max-rotation-overlap, else 422; default PT24H)")
      String overlap) {

    static final Duration DEFAULT_OVERLAP = Duration.ofHours(24);

    /** The overlap, syntax checked (400); one longer than {@code max} is a 422. */
    Duration validOverlap(Checks checks, Duration max) {
      if (overlap == null) {
        return DEFAULT_OVERLAP;
      }
      Duration d = DurationText.parse(checks, "overlap", overlap);
      if (d != null && d.compareTo(max) > 0) {
        throw new dev.relay.api.problems.ApiProblem(
            dev.relay.api.problems.ProblemType.UNPROCESSABLE_VALUE,
            "overlap " + overlap + " is longer than this server allows (" + max
                + ", relay.auth.max-rotation-overlap)",
            java.util.List.of(new dev.relay.api.problems.FieldProblem("overlap",
                "must be at most " + max)),
            org.springframework.http.HttpHeaders.EMPTY);
      }
      return d;
    }
  }

  static Role role(Checks checks, String role) {
    if (!checks.required("role", role)) {
      return null;
    }
    // Exactly as the document's enum spells them.
    return switch (role) {
      case "client" -> Role.CLIENT;
      case "support" -> Role.SUPPORT;
      case "admin" -> Role.ADMIN;
      default -> {
        checks.add("role", "must be one of client, support, admin");
        yield null;
      }
    };
  }
}
