package dev.relay.workflows;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.Set;

/**
 * What workflow code must not touch: it is replayed, so everything it does must come out the same
 * every time. Use Workflow.currentTimeMillis(), Workflow.newRandom(), Workflow.randomUUID(),
 * Workflow.sleep/await and activities instead.
 */
final class WorkflowDeterminismRules {

  private WorkflowDeterminismRules() {}

  static final ArchRule NO_WALL_CLOCK = noClasses()
      .should().callMethodWhere(call("read the wall clock",
          c -> is(c, "java.lang.System", "currentTimeMillis", "nanoTime")
              || (c.getTargetOwner().getPackageName().equals("java.time") && c.getName().equals("now"))))
      .orShould().dependOnClassesThat(named("java.time.Clock", "java.time.InstantSource"))
      .because("workflow time is Workflow.currentTimeMillis()");

  static final ArchRule NO_RANDOMNESS = noClasses()
      .should().callConstructorWhere(call("create a random generator",
          c -> is(c, "java.util.Random", "<init>") || is(c, "java.security.SecureRandom", "<init>")))
      .orShould().callMethodWhere(call("ask for random values",
          c -> is(c, "java.lang.Math", "random") || is(c, "java.util.UUID", "randomUUID")))
      .orShould().dependOnClassesThat(named("java.util.concurrent.ThreadLocalRandom"))
      .because("randomness comes from Workflow.newRandom() and Workflow.randomUUID()");

  static final ArchRule NO_THREADS = noClasses()
      .should().dependOnClassesThat(named("java.lang.Thread", "java.lang.ThreadLocal",
          "java.lang.ThreadGroup"))
      .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
      .because("concurrency is Async, Promise, Workflow.await and CancellationScope");

  static final ArchRule NO_IO = noClasses()
      .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio.file..", "java.net..")
      .because("I/O belongs in activities");

  static final ArchRule NO_SPRING = noClasses()
      .should().dependOnClassesThat().resideInAPackage("org.springframework..")
      .because("workflow code is plain Java: the worker wires it, not a Spring context");

  static final ArchRule NO_MUTABLE_STATICS = fields()
      .that().areStatic()
      .should().beFinal()
      .because("state shared between workflow instances differs between a run and its replay");

  static final List<ArchRule> ALL =
      List.of(NO_WALL_CLOCK, NO_RANDOMNESS, NO_THREADS, NO_IO, NO_SPRING, NO_MUTABLE_STATICS);

  private static boolean is(JavaCall<?> call, String owner, String... names) {
    return call.getTargetOwner().getName().equals(owner) && Set.of(names).contains(call.getName());
  }

  private static <T extends JavaCall<?>> DescribedPredicate<T> call(
      String description, java.util.function.Predicate<JavaCall<?>> predicate) {
    return DescribedPredicate.describe(description, predicate::test);
  }

  private static DescribedPredicate<JavaClass> named(String... names) {
    return DescribedPredicate.describe("are one of " + List.of(names),
        javaClass -> Set.of(names).contains(javaClass.getName()));
  }
}
