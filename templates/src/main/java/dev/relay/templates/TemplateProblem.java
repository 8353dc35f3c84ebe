package dev.relay.templates;

/**
 * Why a template cannot be accepted or rendered. Every kind is permanent: the same template and
 * variables fail the same way on every try, so callers must never retry on it.
 */
public final class TemplateProblem extends RuntimeException {

  /** What went wrong. */
  public enum Kind {
    /** Not valid Mustache (unclosed section, bad delimiter...). */
    SYNTAX,
    /** A tag Relay does not support: partials, parents, blocks. */
    UNSUPPORTED_TAG,
    /** A variable the template uses was not given. */
    VARIABLE_MISSING,
    /** The output passed its cap, or sections iterated past the render budget. */
    OUTPUT_TOO_LARGE,
    /** Anything else the renderer threw. */
    RENDER_FAILED
  }

  private final Kind kind;
  private final String variable;
  private final int line;

  TemplateProblem(Kind kind, String message, String variable, int line, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.variable = variable;
    this.line = line;
  }

  public Kind kind() {
    return kind;
  }

  /** The missing variable (VARIABLE_MISSING), else null. */
  public String variable() {
    return variable;
  }

  /** The template line where known, else 0. */
  public int line() {
    return line;
  }
}
