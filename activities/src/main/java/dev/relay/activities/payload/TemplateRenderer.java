package dev.relay.activities.payload;

import dev.relay.contracts.DeliveryErrorType;
import dev.relay.templates.SafeTemplates;
import dev.relay.templates.SafeTemplates.Escaping;
import dev.relay.templates.TemplateProblem;
import java.util.Map;

/**
 * Renders a stored template part with Relay's Mustache dialect ({@link SafeTemplates}) and turns
 * every way it can fail into a permanent, typed failure: a template or its variables cannot
 * render better on a retry, so the delivery is rejected at once with the reason in its audit
 * instead of retrying for ever (a poison message on a worker every tenant shares).
 */
final class TemplateRenderer {
  /** Subjects: one line. */
  static final int MAX_SUBJECT = 2_000;
  /** Email bodies, per part. */
  static final int MAX_BODY = 1024 * 1024;
  /** Twilio's largest message body. */
  static final int MAX_SMS = 1_600;

  private TemplateRenderer() {}

  /** Renders with HTML escaping of variable values: for HTML bodies. */
  static String html(String part, String template, Map<String, Object> variables) {
    return render(part, template, Escaping.HTML, variables, MAX_BODY);
  }

  /** Renders without escaping: for text bodies. */
  static String plain(String part, String template, Map<String, Object> variables) {
    return render(part, template, Escaping.NONE, variables, MAX_BODY);
  }

  static String subject(String template, Map<String, Object> variables) {
    return render("subject", template, Escaping.NONE, variables, MAX_SUBJECT);
  }

  static String sms(String template, Map<String, Object> variables) {
    return render("sms body", template, Escaping.NONE, variables, MAX_SMS);
  }

  private static String render(String part, String template, Escaping escaping,
      Map<String, Object> variables, int maxChars) {
    try {
      return SafeTemplates.render(template, escaping, variables, maxChars);
    } catch (TemplateProblem p) {
      if (p.kind() == TemplateProblem.Kind.VARIABLE_MISSING) {
        throw DeliveryErrorType.TEMPLATE_VARIABLE_MISSING.failure("template variable '"
            + p.variable() + "' is missing (" + part + ", line " + p.line() + ")");
      }
      throw DeliveryErrorType.TEMPLATE_INVALID.failure("template " + part + ": " + p.getMessage());
    }
  }
}
