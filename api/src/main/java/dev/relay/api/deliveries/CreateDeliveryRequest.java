package dev.relay.api.deliveries;

import dev.relay.api.problems.Checks;
import dev.relay.contracts.Channel;
import dev.relay.templates.SafeTemplates;
import dev.relay.api.config.OpenApiConfig;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The body of {@code POST /v1/deliveries}. Enum and time fields are taken as strings and checked
 * here, so one 400 names every bad field.
 */
@Schema(description = "A request to deliver a rendered template (and documents) to a recipient",
    additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record CreateDeliveryRequest(
    @Schema(example = "patient-42", requiredMode = Schema.RequiredMode.REQUIRED,
        pattern = Ids.ID_REGEX, maxLength = 128) String recipientId,
    @Schema(example = "medical.results", requiredMode = Schema.RequiredMode.REQUIRED,
        pattern = Ids.PURPOSE_REGEX, maxLength = 64) String purpose,
    @Schema(example = "lab-results", requiredMode = Schema.RequiredMode.REQUIRED,
        pattern = Ids.ID_REGEX, maxLength = 128) String templateId,
    @Schema(ref = "#/components/schemas/" + OpenApiConfig.TEMPLATE_VARIABLES)
    Map<String, Object> variables,
    @ArraySchema(arraySchema = @Schema(description = "Channels in order of preference (default "
        + "[EMAIL]), each at most once", example = "[\"EMAIL\", \"SMS\"]"),
        minItems = 1, maxItems = 2, uniqueItems = true,
        schema = @Schema(implementation = Channel.class))
    List<String> channels,
    @ArraySchema(arraySchema = @Schema(description = "IDs of uploaded documents to attach "
        + "(email), each at most once"), maxItems = MAX_DOCUMENTS, uniqueItems = true,
        schema = @Schema(pattern = Ids.ID_REGEX, maxLength = 128))
    List<String> documentIds,
    @Schema(description = "An instant in the future (RFC 3339); past it an undelivered delivery "
        + "ends EXPIRED", format = "date-time", example = "2030-01-01T00:00:00Z") String deadline) {

  public static final int MAX_DOCUMENTS = 20;
  public static final int MAX_VARIABLES = 200;

  /** A request that passed {@link #validate}: parsed values, normalized. */
  public record Valid(String recipientId, String purpose, String templateId,
      Map<String, Object> variables, List<Channel> channels, List<String> documentIds,
      Instant deadline) {

    /** The canonical form the request hash covers: sorted keys, absent and empty fields left out. */
    public Map<String, Object> canonical() {
      Map<String, Object> m = new TreeMap<>();
      m.put("recipientId", recipientId);
      m.put("purpose", purpose);
      m.put("templateId", templateId);
      if (!variables.isEmpty()) {
        m.put("variables", variables);
      }
      if (channels != null) {
        m.put("channels", channels.stream().map(Channel::name).toList());
      }
      if (!documentIds.isEmpty()) {
        m.put("documentIds", documentIds);
      }
      if (deadline != null) {
        m.put("deadline", deadline.toString());
      }
      return m;
    }
  }

  /** Checks every field (syntax only: references and the deadline's future are checked later). */
  public Valid validate(Checks checks) {
    if (checks.required("recipientId", recipientId)) {
      checks.matches("recipientId", recipientId, Ids.ID, Ids.ID_DESCRIPTION);
    }
    if (checks.required("purpose", purpose)) {
      checks.matches("purpose", purpose, Ids.PURPOSE, Ids.PURPOSE_DESCRIPTION);
    }
    if (checks.required("templateId", templateId)) {
      checks.matches("templateId", templateId, Ids.ID, Ids.ID_DESCRIPTION);
    }
    Map<String, Object> vars = new LinkedHashMap<>();
    if (variables != null) {
      if (variables.size() > MAX_VARIABLES) {
        checks.add("variables", "must have at most " + MAX_VARIABLES + " entries");
      }
      for (Map.Entry<String, Object> e : variables.entrySet()) {
        if (e.getKey().isEmpty() || e.getKey().codePointCount(0, e.getKey().length()) > 100) {
          checks.add("variables", "names must be 1-100 characters");
        } else if (e.getValue() == null) {
          checks.add("variables." + e.getKey(), "must not be null");
        } else {
          vars.put(e.getKey(), e.getValue());
        }
      }
      // Shapes a shared worker can render safely: scalars, or lists of flat rows.
      for (String problem : SafeTemplates.variableProblems(vars)) {
        int colon = problem.indexOf(": ");
        checks.add("variables." + problem.substring(0, colon), problem.substring(colon + 2));
      }
    }
    List<Channel> parsedChannels = null;
    if (channels != null) {
      parsedChannels = new ArrayList<>();
      if (channels.isEmpty()) {
        checks.add("channels", "must not be empty when given (omit it for [EMAIL])");
      }
      Set<Channel> seen = new HashSet<>();
      for (int i = 0; i < channels.size(); i++) {
        String c = channels.get(i);
        Channel channel = parseChannel(c);
        if (channel == null) {
          checks.add("channels[" + i + "]", "must be one of EMAIL, SMS");
        } else if (!seen.add(channel)) {
          checks.add("channels[" + i + "]", "duplicates " + channel);
        } else {
          parsedChannels.add(channel);
        }
      }
    }
    List<String> docs = new ArrayList<>();
    if (documentIds != null) {
      if (documentIds.size() > MAX_DOCUMENTS) {
        checks.add("documentIds", "must have at most " + MAX_DOCUMENTS + " entries");
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < documentIds.size(); i++) {
        String d = documentIds.get(i);
        if (d == null || !Ids.ID.matcher(d).matches()) {
          checks.add("documentIds[" + i + "]", "must be " + Ids.ID_DESCRIPTION);
        } else if (!seen.add(d)) {
          checks.add("documentIds[" + i + "]", "duplicates " + d);
        } else {
          docs.add(d);
        }
      }
    }
    Instant parsedDeadline = null;
    if (deadline != null) {
      parsedDeadline = parseInstant(deadline);
      if (parsedDeadline == null) {
        checks.add("deadline", "must be an ISO-8601 instant such as 2030-01-01T00:00:00Z");
      }
    }
    return new Valid(recipientId, purpose, templateId, vars, parsedChannels, docs, parsedDeadline);
  }

  static Channel parseChannel(String value) {
    if (value == null) {
      return null;
    }
    for (Channel c : Channel.values()) {
      if (c.name().equals(value)) {
        return c;
      }
    }
    return null;
  }

  /** An RFC 3339 date-time ({@link dev.relay.api.problems.Rfc3339}), or null. */
  public static Instant parseInstant(String value) {
    return dev.relay.api.problems.Rfc3339.parse(value);
  }
}
