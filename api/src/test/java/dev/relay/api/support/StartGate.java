package dev.relay.api.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CountDownLatch;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;

/**
 * Lets a test hold every workflow start the API makes (kick or sweep) until it opens the gate,
 * to see what the API answers before any workflow exists. Open unless a test closes it.
 */
public final class StartGate {
  private static final AtomicReference<CountDownLatch> gate =
      new AtomicReference<>(new CountDownLatch(0));

  private StartGate() {}

  public static void close() {
    gate.set(new CountDownLatch(1));
  }

  public static void open() {
    gate.get().countDown();
  }

  /** The client the API uses: creating a workflow stub for a start waits at the gate. */
  static WorkflowClient around(WorkflowClient client) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getName().equals("newWorkflowStub") && args != null && args.length == 2
          && args[1] instanceof WorkflowOptions) {
        gate.get().await();
      }
      try {
        return method.invoke(client, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (WorkflowClient) Proxy.newProxyInstance(WorkflowClient.class.getClassLoader(),
        new Class<?>[] {WorkflowClient.class}, handler);
  }
}
