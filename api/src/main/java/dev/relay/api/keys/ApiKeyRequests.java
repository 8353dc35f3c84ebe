package dev.relay.api.keys;

import dev.relay.api.problems.Checks;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Bodies of the key endpoints, each with the checks that turn bad input into one 400. */
final class ApiKeyRequests {
  static final int MAX_NAME = 100;
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._:@/-]{1,100}");

  private ApiKeyRequests() {}

  /** {@code POST /v1/api-keys}. */
  record Create(
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"client", "support", "admin"},
          description = "client: start and read deliveries; support: act on deliveries and read "
              + "payloads through the codec server; admin: everything, including keys")
      String role,
      @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "billing-service",
          description = "who uses the key (letters, digits, space and . _ : @ / -; up to 100)")
      String name,
      @Schema(nullable = true, example = "2027-06-30T00:00:00Z",
          description = "when the key stops working; omit for a key that works until revoked")
      String expiresAt) {

    Role validRole(Checks checks) {
      return ApiKeyRequests.role(checks, role);
    }

    String validName(Checks checks) {
      if (!checks.required("name", name)) {
        return null;
      }
      String trimmed = name.strip();
      if (!NAME.matcher(trimmed).matches()) {
        checks.add("name", "must be 1 to " + MAX_NAME
            + " letters, digits, spaces or any of . _ : @ / -");
        return null;
      }
      return trimmed;
    }

    Instant validExpiry(Checks checks, Instant now) {
      if (expiresAt == null) {
        return null;
      }
      try {
        Instant at = Instant.parse(expiresAt.strip());
        if (!at.isAfter(now)) {
          checks.add("expiresAt", "must be in the future");
          return null;
        }
        return at;
      } catch (DateTimeParseException e) {
        checks.add("expiresAt", "must be an RFC 3339 UTC time such as 2027-06-30T00:00:00Z");
        return null;
      }
    }
  }

  /** {@code POST /v1/api-keys/{id}/rotate}; the body is optional. */
  record Rotate(
      @Schema(nullable = true, example = "PT24H", description = "how long the old key keeps "
          + "working next to the new one (ISO 8601 duration, 0 to end it at once; default PT24H)")
      String overlap) {

    static final Duration DEFAULT_OVERLAP = Duration.ofHours(24);

    Duration validOverlap(Checks checks, Duration max) {
      if (overlap == null || overlap.isBlank()) {
        return DEFAULT_OVERLAP;
      }
      try {
        Duration d = Duration.parse(overlap.strip().toUpperCase(Locale.ROOT));
        if (d.isNegative()) {
          checks.add("overlap", "must not be negative");
        } else if (d.compareTo(max) > 0) {
          checks.add("overlap", "must be at most " + max + " (relay.auth.max-rotation-overlap)");
        }
        return checks.ok() ? d : null;
      } catch (DateTimeParseException e) {
        checks.add("overlap", "must be an ISO 8601 duration such as PT24H or P7D");
        return null;
      }
    }
  }

  static Role role(Checks checks, String role) {
    if (!checks.required("role", role)) {
      return null;
    }
    return switch (role.strip().toLowerCase(Locale.ROOT)) {
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
