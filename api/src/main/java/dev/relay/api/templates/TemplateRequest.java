package dev.relay.api.templates;

import dev.relay.api.problems.Checks;
import dev.relay.templates.SafeTemplates;
import dev.relay.templates.TemplateProblem;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body of {@code PUT /v1/templates/{id}}: Mustache templates. Email uses subject plus an
 * HTML and/or text body, SMS uses the SMS body. Each given field must compile in Relay's Mustache
 * dialect ({@link SafeTemplates}: variables and sections, no partials, parents or blocks), so a
 * template that could never render is refused here rather than failing deliveries later.
 */
@Schema(description = "At least one body: smsBody, or textBody (with subject; htmlBody needs "
    + "textBody too). A field that is given must have text (omit it otherwise)",
    additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record TemplateRequest(
    @Schema(example = "Your results from {{clinic}}", maxLength = 1000, pattern = Checks.TEXT_REGEX)
    String subject,
    @Schema(example = "<p>Hello {{name}}</p>", maxLength = MAX_BODY, pattern = Checks.TEXT_REGEX)
    String htmlBody,
    @Schema(example = "Hello {{name}}", maxLength = MAX_BODY, pattern = Checks.TEXT_REGEX)
    String textBody,
    @Schema(example = "Hello {{name}}, your results are ready", maxLength = MAX_SMS,
        pattern = Checks.TEXT_REGEX)
    String smsBody) {

  static final int MAX_BODY = 256 * 1024;
  static final int MAX_SUBJECT = 1000;
  static final int MAX_SMS = 1600;
  private static final Pattern LINE = Pattern.compile("^(.*?)\\s*@ line (\\d+)\\s*$", Pattern.DOTALL);

  public void validate(Checks checks) {
    blank(checks, "subject", subject);
    blank(checks, "htmlBody", htmlBody);
    blank(checks, "textBody", textBody);
    blank(checks, "smsBody", smsBody);
    boolean anyBody = notBlank(htmlBody) || notBlank(textBody) || notBlank(smsBody);
    if (!anyBody) {
      checks.add("body", "give at least one of htmlBody, textBody, smsBody");
    }
    if ((notBlank(htmlBody) || notBlank(textBody)) && !notBlank(subject)) {
      checks.add("subject", "is required with an email body (htmlBody or textBody)");
    }
    if (notBlank(htmlBody) && !notBlank(textBody)) {
      checks.add("textBody", "is required with htmlBody (email is always sent with a text part)");
    }
    compile(checks, "subject", subject, MAX_SUBJECT);
    compile(checks, "htmlBody", htmlBody, MAX_BODY);
    compile(checks, "textBody", textBody, MAX_BODY);
    compile(checks, "smsBody", smsBody, MAX_SMS);
  }

  private static void compile(Checks checks, String field, String template, int maxLength) {
    if (!Checks.hasText(template)) {
      return;
    }
    if (Checks.length(template) > maxLength) {
      checks.add(field, "must be at most " + maxLength + " characters");
      return;
    }
    try {
      SafeTemplates.check(template);
    } catch (TemplateProblem e) {
      if (e.kind() == TemplateProblem.Kind.UNSUPPORTED_TAG) {
        checks.add(field, e.getMessage());
        return;
      }
      String message = e.getMessage() == null ? "does not compile" : e.getMessage();
      Matcher m = LINE.matcher(message);
      checks.add(field, m.matches()
          ? "line " + m.group(2) + ": " + m.group(1)
          : "does not compile: " + message);
    }
  }

  private static boolean notBlank(String s) {
    return Checks.hasText(s);
  }

  /** A blank field would silently mean "none": say so instead. */
  private static void blank(Checks checks, String field, String value) {
    if (value != null && !Checks.hasText(value)) {
      checks.add(field, "must not be blank: omit the field for none");
    }
  }
}
