package dev.relay.templates;

import com.samskivert.mustache.BasicCollector;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Mustache dialect Relay accepts, checked the same way when a template is stored (API) and
 * when it is rendered (worker), because every worker renders every tenant's templates:
 *
 * <ul>
 *   <li>variables, sections and inverted sections only: no partials ({@code {{>x}}}), parents or
 *       blocks, which would need a template loader (the first release accepted them at PUT and
 *       then failed every delivery that used them, retrying for ever);
 *   <li>no reflection: values are read from maps and lists only, so a template cannot reach
 *       into Java objects ({@code {{name.class}}});
 *   <li>variables are scalars, or lists of at most {@value #MAX_LIST_ITEMS} scalars or flat
 *       objects (depth {@value #MAX_DEPTH}), strings at most {@value #MAX_STRING} characters;
 *   <li>rendering stops at an output cap and at a budget of section iterations, so nested
 *       sections over lists cannot make the output (or the work) grow exponentially.
 * </ul>
 */
public final class SafeTemplates {
  public static final int MAX_LIST_ITEMS = 100;
  /** A variable may be a list of objects whose values are scalars; nothing deeper. */
  public static final int MAX_DEPTH = 2;
  public static final int MAX_STRING = 10_000;
  public static final int MAX_OBJECT_KEYS = 50;
  /** Section iterations per render: generous for a list of 100 rows, fatal for 100^3. */
  public static final int MAX_ITERATIONS = 10_000;

  /** HTML-escape variable values (HTML bodies) or not (subjects, text, SMS). */
  public enum Escaping { HTML, NONE }

  private SafeTemplates() {}

  /**
   * Compiles {@code source} and checks it uses only supported tags.
   *
   * @throws TemplateProblem SYNTAX or UNSUPPORTED_TAG
   */
  public static void check(String source) {
    refuseUnsupportedTags(compile(compiler(Escaping.NONE, new Budget()), source));
  }

  private static void refuseUnsupportedTags(Template template) {
    unsupportedTag(template).ifPresent(tag -> {
      throw new TemplateProblem(TemplateProblem.Kind.UNSUPPORTED_TAG, tag
          + " is not supported: Relay templates use variables and sections only (inline the text)",
          null, 0, null);
    });
  }

  /**
   * Renders {@code source} with {@code variables}; a missing variable fails rather than rendering
   * as empty, and so does a missing section name.
   *
   * @param maxChars the output cap
   * @throws TemplateProblem of any kind; never anything else
   */
  public static String render(String source, Escaping escaping, Map<String, ?> variables,
      int maxChars) {
    Budget budget = new Budget();
    Template template = compile(compiler(escaping, budget), source);
    refuseUnsupportedTags(template);
    CappedWriter out = new CappedWriter(maxChars);
    try {
      template.execute(variables, out);
      return out.toString();
    } catch (TemplateProblem e) {
      throw e;
    } catch (MustacheException.Context e) {
      throw new TemplateProblem(TemplateProblem.Kind.VARIABLE_MISSING,
          "template variable '" + e.key + "' is missing (line " + e.lineNo + ")", e.key, e.lineNo, e);
    } catch (RuntimeException e) {
      // jmustache may wrap what the writer or the collector threw.
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        if (c instanceof TemplateProblem p) {
          throw p;
        }
      }
      throw new TemplateProblem(TemplateProblem.Kind.RENDER_FAILED,
          "template cannot be rendered: " + e, null, 0, e);
    }
  }

  /** Problems of the variables' shapes, as "name: problem"; empty when they are fine. */
  public static List<String> variableProblems(Map<String, ?> variables) {
    List<String> problems = new ArrayList<>();
    if (variables != null) {
      variables.forEach((name, value) -> shape(name, value, 1, problems));
    }
    return problems;
  }

  private static void shape(String path, Object value, int depth, List<String> problems) {
    if (value == null) {
      problems.add(path + ": must not be null");
    } else if (value instanceof String s) {
      if (s.length() > MAX_STRING) {
        problems.add(path + ": must be at most " + MAX_STRING + " characters");
      }
    } else if (value instanceof Number || value instanceof Boolean) {
      // scalar
    } else if (depth >= MAX_DEPTH + 1) {
      problems.add(path + ": must be a string, number or boolean (variables nest at most "
          + MAX_DEPTH + " levels: a list of objects of scalars)");
    } else if (value instanceof List<?> list) {
      if (list.size() > MAX_LIST_ITEMS) {
        problems.add(path + ": must have at most " + MAX_LIST_ITEMS + " items");
        return;
      }
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        if (item instanceof List<?>) {
          problems.add(path + "[" + i + "]: lists of lists are not supported");
        } else {
          shape(path + "[" + i + "]", item, depth + 1, problems);
        }
      }
    } else if (value instanceof Map<?, ?> map) {
      if (map.size() > MAX_OBJECT_KEYS) {
        problems.add(path + ": must have at most " + MAX_OBJECT_KEYS + " keys");
        return;
      }
      map.forEach((k, v) -> shape(path + "." + k, v, depth + 1, problems));
    } else {
      problems.add(path + ": must be a string, number, boolean, list or object");
    }
  }

  private static Template compile(Mustache.Compiler compiler, String source) {
    try {
      return compiler.compile(source);
    } catch (MustacheException e) {
      String message = e.getMessage() == null ? "does not compile" : e.getMessage();
      throw new TemplateProblem(TemplateProblem.Kind.SYNTAX, message, null, 0, e);
    }
  }

  private static Mustache.Compiler compiler(Escaping escaping, Budget budget) {
    return Mustache.compiler()
        .strictSections(true)
        .escapeHTML(escaping == Escaping.HTML)
        .withLoader(name -> {
          throw new TemplateProblem(TemplateProblem.Kind.UNSUPPORTED_TAG,
              "{{>" + name + "}} is not supported", null, 0, null);
        })
        .withCollector(new MapsAndListsOnly(budget));
  }

  /** The first partial, parent or block tag, if any. */
  static Optional<String> unsupportedTag(Template template) {
    String[] found = new String[1];
    template.visit(new Mustache.Visitor() {
      @Override public void visitText(String text) {}

      @Override public void visitVariable(String name) {}

      @Override public boolean visitInclude(String name) {
        remember("{{>" + name + "}}");
        return false;
      }

      @Override public boolean visitParent(String name) {
        remember("{{<" + name + "}}");
        return false;
      }

      @Override public boolean visitBlock(String name) {
        remember("{{$" + name + "}}");
        return false;
      }

      @Override public boolean visitSection(String name) {
        return true;
      }

      @Override public boolean visitInvertedSection(String name) {
        return true;
      }

      private void remember(String tag) {
        if (found[0] == null) {
          found[0] = tag;
        }
      }
    });
    return Optional.ofNullable(found[0]);
  }

  /** Section iterations left in one render. */
  private static final class Budget {
    private int left = MAX_ITERATIONS;

    void spend() {
      if (--left < 0) {
        throw new TemplateProblem(TemplateProblem.Kind.OUTPUT_TOO_LARGE, "sections iterate more than "
            + MAX_ITERATIONS + " times: nest fewer sections over lists", null, 0, null);
      }
    }
  }

  /**
   * Reads maps and lists only (BasicCollector has no reflection fetcher) and charges every
   * section iteration to the render's budget.
   */
  private static final class MapsAndListsOnly extends BasicCollector {
    private final Budget budget;

    MapsAndListsOnly(Budget budget) {
      this.budget = budget;
    }

    @Override
    public Iterator<?> toIterator(Object value) {
      Iterator<?> it = super.toIterator(value);
      if (it == null) {
        return null;
      }
      return new Iterator<Object>() {
        @Override public boolean hasNext() {
          return it.hasNext();
        }

        @Override public Object next() {
          budget.spend();
          return it.next();
        }
      };
    }

    @Override
    public <K, V> Map<K, V> createFetcherCache() {
      return new ConcurrentHashMap<>();
    }
  }

  /** Throws once more than {@code max} characters are written. */
  private static final class CappedWriter extends Writer {
    private final StringWriter out = new StringWriter();
    private final int max;
    private int written;

    CappedWriter(int max) {
      this.max = max;
    }

    @Override
    public void write(char[] chars, int off, int len) throws IOException {
      written += len;
      if (written > max) {
        throw new TemplateProblem(TemplateProblem.Kind.OUTPUT_TOO_LARGE,
            "rendered output is longer than " + max + " characters", null, 0, null);
      }
      out.write(chars, off, len);
    }

    @Override
    public void write(String s, int off, int len) throws IOException {
      written += len;
      if (written > max) {
        throw new TemplateProblem(TemplateProblem.Kind.OUTPUT_TOO_LARGE,
            "rendered output is longer than " + max + " characters", null, 0, null);
      }
      out.write(s, off, len);
    }

    @Override public void flush() {}

    @Override public void close() {}

    @Override
    public String toString() {
      return out.toString();
    }
  }
}
