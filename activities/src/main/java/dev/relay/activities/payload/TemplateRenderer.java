package dev.relay.activities.payload;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import dev.relay.contracts.DeliveryErrorType;
import java.util.Map;

/**
 * Mustache rendering (jmustache) that fails loudly. No default value is configured, so a
 * missing variable throws instead of rendering as empty, and strict sections make a missing
 * section name throw too (jmustache would otherwise skip the section silently).
 */
final class TemplateRenderer {
  private static final Mustache.Compiler HTML = Mustache.compiler().strictSections(true);
  private static final Mustache.Compiler PLAIN =
      Mustache.compiler().strictSections(true).escapeHTML(false);

  private TemplateRenderer() {}

  /** Renders with HTML escaping of variable values: for HTML bodies. */
  static String html(String part, String template, Map<String, Object> variables) {
    return render(HTML, part, template, variables);
  }

  /** Renders without escaping: for subjects, text bodies and SMS. */
  static String plain(String part, String template, Map<String, Object> variables) {
    return render(PLAIN, part, template, variables);
  }

  private static String render(Mustache.Compiler compiler, String part, String template,
      Map<String, Object> variables) {
    try {
      return compiler.compile(template).execute(variables);
    } catch (MustacheException.Context e) {
      throw DeliveryErrorType.TEMPLATE_VARIABLE_MISSING.failure(
          "template variable '" + e.key + "' is missing (" + part + ", line " + e.lineNo + ")");
    } catch (MustacheException e) {
      throw DeliveryErrorType.TEMPLATE_INVALID.failure(
          "template " + part + " is not valid Mustache: " + e.getMessage());
    }
  }
}
