package dev.relay.api.problems;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Collects every bad field of a request, so one 400 names all of them instead of the first.
 */
public final class Checks {
  private final List<FieldProblem> problems = new ArrayList<>();

  public Checks add(String field, String message) {
    problems.add(new FieldProblem(field, message));
    return this;
  }

  /**
   * "Has text": a character other than ASCII white space, and no NUL anywhere (PostgreSQL text
   * cannot hold U+0000). The same regular expression is the OpenAPI {@code pattern} of such
   * fields, so the document and the check agree on every string (Java's, ECMAScript's and
   * Python's notions of Unicode white space differ). No lookaround, so generators read it too,
   * and linear: leading white space, the first other character, then anything but NUL.
   */
  public static final String TEXT_REGEX =
      "^[ \\t\\n\\r\\f\\x0b]*[^ \\t\\n\\r\\f\\x0b\\u0000][^\\u0000]*$";
  /** Any text without NUL: the pattern the document gives every string that has no other. */
  public static final String NO_NUL_REGEX = "^[^\\u0000]*$";
  private static final Pattern TEXT = Pattern.compile(TEXT_REGEX);

  public static boolean hasText(String value) {
    return value != null && TEXT.matcher(value).find();
  }

  /** Length as JSON Schema counts it ({@code maxLength}): code points, not UTF-16 units. */
  public static int length(String value) {
    return value.codePointCount(0, value.length());
  }

  /** Requires a string with text; returns whether it was present. */
  public boolean required(String field, String value) {
    if (!hasText(value)) {
      add(field, "is required");
      return false;
    }
    return true;
  }

  public boolean required(String field, Object value) {
    if (value == null) {
      add(field, "is required");
      return false;
    }
    return true;
  }

  /** Optional string: when present, it must match the pattern and the length bound. */
  public void matches(String field, String value, Pattern pattern, String description) {
    if (value != null && !pattern.matcher(value).matches()) {
      add(field, "must be " + description);
    }
  }

  public void maxLength(String field, String value, int max) {
    if (value != null && length(value) > max) {
      add(field, "must be at most " + max + " characters");
    }
  }

  public boolean ok() {
    return problems.isEmpty();
  }

  public List<FieldProblem> problems() {
    return List.copyOf(problems);
  }

  /** Throws a 400 validation problem naming every collected field, if there is any. */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw ApiProblem.validation(problems);
    }
  }
}
