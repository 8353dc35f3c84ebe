package dev.relay.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.relay.archfixture.NonDeterministicWorkflow;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The determinism check of the build: workflow code passes, and each rule really does fire. */
class WorkflowDeterminismTest {

  private static final JavaClasses WORKFLOW_CODE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.relay.workflows");

  private static final JavaClasses BAD_CODE =
      new ClassFileImporter().importClasses(NonDeterministicWorkflow.class);

  @Test
  void workflowCodeFollowsEveryRule() {
    assertThat(WORKFLOW_CODE.contain(DeliveryWorkflowImpl.class)).isTrue();
    assertThat(WORKFLOW_CODE.contain(WorkflowDeterminismTest.class)).isFalse();
    WorkflowDeterminismRules.ALL.forEach(rule -> rule.check(WORKFLOW_CODE));
  }

  @Test
  void everyRuleFiresOnADeliberatelyBadClass() {
    assertFires(WorkflowDeterminismRules.NO_WALL_CLOCK,
        "System.currentTimeMillis()", "System.nanoTime()", "Instant.now()", "LocalDateTime.now()",
        "java.time.Clock");
    assertFires(WorkflowDeterminismRules.NO_RANDOMNESS, "Random.<init>()", "UUID.randomUUID()");
    assertFires(WorkflowDeterminismRules.NO_THREADS,
        "java.lang.Thread", "java.util.concurrent.Executors", "java.util.concurrent.locks.ReentrantLock");
    assertFires(WorkflowDeterminismRules.NO_IO, "java.io.File", "java.nio.file.Files", "java.net.URI");
    assertFires(WorkflowDeterminismRules.NO_SPRING, "org.springframework.util.StringUtils");
    assertFires(WorkflowDeterminismRules.NO_MUTABLE_STATICS, "counter");
  }

  private static void assertFires(ArchRule rule, String... mentions) {
    EvaluationResult result = rule.evaluate(BAD_CODE);
    assertThat(result.hasViolation()).as(rule.getDescription()).isTrue();
    List<String> details = result.getFailureReport().getDetails();
    for (String mention : mentions) {
      assertThat(details).as(rule.getDescription()).anyMatch(line -> line.contains(mention));
    }
  }
}
