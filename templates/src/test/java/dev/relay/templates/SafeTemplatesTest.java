package dev.relay.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.templates.SafeTemplates.Escaping;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafeTemplatesTest {

  @Test
  void rendersVariablesSectionsAndListsOfRows() {
    String out = SafeTemplates.render(
        "Hello {{name}}{{#items}}, {{sku}} x{{qty}}{{/items}}{{^items}} (none){{/items}}",
        Escaping.NONE,
        Map.of("name", "Ann", "items", List.of(Map.of("sku", "A1", "qty", 2),
            Map.of("sku", "B2", "qty", 1))),
        1000);
    assertThat(out).isEqualTo("Hello Ann, A1 x2, B2 x1");
  }

  @Test
  void escapesHtmlOnlyWhenAsked() {
    Map<String, Object> vars = Map.of("name", "<b>Ann</b>");
    assertThat(SafeTemplates.render("{{name}}", Escaping.HTML, vars, 100))
        .isEqualTo("&lt;b&gt;Ann&lt;/b&gt;");
    assertThat(SafeTemplates.render("{{name}}", Escaping.NONE, vars, 100)).isEqualTo("<b>Ann</b>");
  }

  @Test
  void partialsParentsAndBlocksAreRefusedWhenStoredAndWhenRendered() {
    for (String tag : List.of("{{>footer}}", "{{<layout}}{{/layout}}", "{{$title}}x{{/title}}")) {
      assertThatThrownBy(() -> SafeTemplates.check("Hello " + tag))
          .isInstanceOfSatisfying(TemplateProblem.class, p -> {
            assertThat(p.kind()).isEqualTo(TemplateProblem.Kind.UNSUPPORTED_TAG);
            assertThat(p.getMessage()).contains("is not supported");
          });
      assertThatThrownBy(() -> SafeTemplates.render("Hello " + tag, Escaping.NONE, Map.of(), 100))
          .isInstanceOf(TemplateProblem.class);
    }
    assertThatThrownBy(() -> SafeTemplates.check("{{#a}}{{>inner}}{{/a}}"))
        .hasMessageContaining("{{>inner}}");
  }

  @Test
  void aMissingVariableOrSectionFailsWithItsName() {
    assertThatThrownBy(() -> SafeTemplates.render("Hi {{name}}", Escaping.NONE, Map.of(), 100))
        .isInstanceOfSatisfying(TemplateProblem.class, p -> {
          assertThat(p.kind()).isEqualTo(TemplateProblem.Kind.VARIABLE_MISSING);
          assertThat(p.variable()).isEqualTo("name");
        });
    assertThatThrownBy(() -> SafeTemplates.render("{{#rows}}x{{/rows}}", Escaping.NONE, Map.of(), 100))
        .isInstanceOf(TemplateProblem.class);
  }

  @Test
  void badSyntaxIsASyntaxProblem() {
    assertThatThrownBy(() -> SafeTemplates.check("{{#open}} never closed"))
        .isInstanceOfSatisfying(TemplateProblem.class,
            p -> assertThat(p.kind()).isEqualTo(TemplateProblem.Kind.SYNTAX));
  }

  @Test
  void javaObjectsAreNotReachableFromATemplate() {
    // No reflection: "class" of a String is not a variable.
    assertThatThrownBy(() -> SafeTemplates.render("{{name.class}}", Escaping.NONE,
        Map.of("name", "Ann"), 100))
        .isInstanceOf(TemplateProblem.class);
  }

  @Test
  void outputStopsAtItsCap() {
    assertThatThrownBy(() -> SafeTemplates.render("{{#rows}}{{text}}{{/rows}}", Escaping.NONE,
        Map.of("rows", Collections.nCopies(100, Map.of("text", "x".repeat(1000)))), 50_000))
        .isInstanceOfSatisfying(TemplateProblem.class,
            p -> assertThat(p.kind()).isEqualTo(TemplateProblem.Kind.OUTPUT_TOO_LARGE));
  }

  @Test
  void nestedSectionsOverOneListCannotExplode() {
    // 100 × 100 × 100 iterations with no output at all: stopped by the iteration budget.
    List<Object> rows = new ArrayList<>(Collections.nCopies(100, Map.of("n", 1)));
    assertThatThrownBy(() -> SafeTemplates.render(
        "{{#rows}}{{#rows}}{{#rows}}{{/rows}}{{/rows}}{{/rows}}", Escaping.NONE,
        Map.of("rows", rows), 1_000_000))
        .isInstanceOfSatisfying(TemplateProblem.class,
            p -> assertThat(p.getMessage()).contains("iterate more than"));
  }

  @Test
  void variablesAreScalarsOrListsOfFlatRows() {
    assertThat(SafeTemplates.variableProblems(Map.of("name", "Ann", "n", 3, "ok", true,
        "rows", List.of(Map.of("sku", "A1")), "tags", List.of("a", "b")))).isEmpty();
    assertThat(SafeTemplates.variableProblems(Map.of(
        "deep", List.of(Map.of("inner", List.of("x"))),
        "nested", List.of(List.of("x")),
        "long", List.of(Collections.nCopies(101, "x")).get(0),
        "huge", "x".repeat(SafeTemplates.MAX_STRING + 1))))
        .anySatisfy(p -> assertThat(p).startsWith("deep[0].inner: must be a string"))
        .anySatisfy(p -> assertThat(p).startsWith("nested[0]: lists of lists"))
        .anySatisfy(p -> assertThat(p).startsWith("long: must have at most 100 items"))
        .anySatisfy(p -> assertThat(p).startsWith("huge: must be at most"));
  }
}
