package dev.relay.api.limits;

import dev.relay.api.problems.Checks;
import dev.relay.store.limits.TenantLimits;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The body of {@code PUT /v1/settings/limits}: every field is optional; an absent field means
 * "the configured default" (relay.limits.*). The PUT replaces all of them.
 */
@Schema(additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record LimitsRequest(
    @Schema(example = "600", minimum = "1", maximum = "1000000000",
        description = "requests one API key may make per windowSeconds")
    Long requestsPerKey,
    @Schema(example = "3000", minimum = "1", maximum = "1000000000",
        description = "requests all the tenant's keys together may make per windowSeconds")
    Long requestsPerTenant,
    @Schema(example = "60", minimum = "1", maximum = "86400",
        description = "the window both request limits refill over, in seconds")
    Long windowSeconds,
    @Schema(example = "100000", minimum = "1", maximum = "1000000000000",
        description = "email deliveries accepted per UTC day")
    Long emailDaily,
    @Schema(example = "2000000", minimum = "1", maximum = "1000000000000",
        description = "email deliveries accepted per UTC month")
    Long emailMonthly,
    @Schema(example = "1000", minimum = "1", maximum = "1000000000000",
        description = "SMS deliveries accepted per UTC day")
    Long smsDaily,
    @Schema(example = "20000", minimum = "1", maximum = "1000000000000",
        description = "SMS deliveries accepted per UTC month")
    Long smsMonthly) {

  static final long MAX_REQUESTS = 1_000_000_000L;
  static final long MAX_WINDOW = 86_400L;
  static final long MAX_QUOTA = 1_000_000_000_000L;

  /** The settings to store; every bad field named in {@code checks}. */
  TenantLimits valid(Checks checks) {
    range(checks, "requestsPerKey", requestsPerKey, MAX_REQUESTS);
    range(checks, "requestsPerTenant", requestsPerTenant, MAX_REQUESTS);
    range(checks, "windowSeconds", windowSeconds, MAX_WINDOW);
    range(checks, "emailDaily", emailDaily, MAX_QUOTA);
    range(checks, "emailMonthly", emailMonthly, MAX_QUOTA);
    range(checks, "smsDaily", smsDaily, MAX_QUOTA);
    range(checks, "smsMonthly", smsMonthly, MAX_QUOTA);
    return new TenantLimits(toInt(requestsPerKey), toInt(requestsPerTenant), toInt(windowSeconds),
        emailDaily, emailMonthly, smsDaily, smsMonthly, null, null);
  }

  /**
   * A daily quota above its monthly one can never be reached: each value is well-formed, the pair
   * is not (422, as the schema cannot relate two fields' values).
   */
  void requireConsistent() {
    java.util.List<dev.relay.api.problems.FieldProblem> bad = new java.util.ArrayList<>();
    if (emailDaily != null && emailMonthly != null && emailDaily > emailMonthly) {
      bad.add(new dev.relay.api.problems.FieldProblem("emailDaily",
          "must not be larger than emailMonthly (" + emailMonthly + ")"));
    }
    if (smsDaily != null && smsMonthly != null && smsDaily > smsMonthly) {
      bad.add(new dev.relay.api.problems.FieldProblem("smsDaily",
          "must not be larger than smsMonthly (" + smsMonthly + ")"));
    }
    if (!bad.isEmpty()) {
      throw new dev.relay.api.problems.ApiProblem(
          dev.relay.api.problems.ProblemType.UNPROCESSABLE_VALUE,
          "A daily quota is larger than its monthly quota; lower it or raise the monthly one",
          bad, org.springframework.http.HttpHeaders.EMPTY);
    }
  }

  private static void range(Checks checks, String field, Long value, long max) {
    if (value != null && (value < 1 || value > max)) {
      checks.add(field, "must be from 1 to " + max + " (omit it for the default); got " + value);
    }
  }

  private static Integer toInt(Long v) {
    return v == null || v > Integer.MAX_VALUE ? null : v.intValue();
  }
}
