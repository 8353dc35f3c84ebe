package dev.relay.systemtests.stack;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link RelayStack} per test class: started before the first test, stopped after the last.
 * A failed test prints where the stack's logs are and their last lines.
 *
 * <pre>{@code
 * @RegisterExtension static final StackExtension STACK = new StackExtension();
 * }</pre>
 */
public final class StackExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {
  private static final Logger log = LoggerFactory.getLogger(StackExtension.class);

  private final Map<String, String> apiOverrides = new LinkedHashMap<>();
  private final Map<String, String> workerOverrides = new LinkedHashMap<>();
  private RelayStack.Options options = RelayStack.Options.DEFAULT;
  private RelayStack stack;

  public StackExtension options(RelayStack.Options options) {
    this.options = options;
    return this;
  }

  public StackExtension apiEnv(String name, String value) {
    apiOverrides.put(name, value);
    return this;
  }

  public StackExtension workerEnv(String name, String value) {
    workerOverrides.put(name, value);
    return this;
  }

  public RelayStack stack() {
    if (stack == null) {
      throw new IllegalStateException("the stack is not running");
    }
    return stack;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    stack = RelayStack.start(context.getRequiredTestClass().getSimpleName(), apiOverrides,
        workerOverrides, options);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (stack != null) {
      stack.close();
      stack = null;
    }
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    if (stack != null) {
      log.error("{} failed; {}", context.getDisplayName(), stack.diagnostics());
    }
  }
}
