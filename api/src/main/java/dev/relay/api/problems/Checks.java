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

  /** Requires a non-blank string; returns whether it was present. */
  public boolean required(String field, String value) {
    if (value == null || value.isBlank()) {
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
    if (value != null && value.length() > max) {
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
