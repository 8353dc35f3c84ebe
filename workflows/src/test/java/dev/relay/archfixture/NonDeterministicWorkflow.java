package dev.relay.archfixture;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.util.StringUtils;

/**
 * Deliberately breaks every determinism rule, so {@code WorkflowDeterminismTest} can prove that
 * each rule fires. Test-only and outside {@code dev.relay.workflows}: never registered anywhere.
 */
@SuppressWarnings("unused")
public class NonDeterministicWorkflow {

  private static int counter; // a non-final static: state shared across workflow instances

  public long wallClock() {
    return System.currentTimeMillis() + System.nanoTime();
  }

  public Instant now() {
    return Instant.now();
  }

  public LocalDateTime localNow() {
    return LocalDateTime.now();
  }

  public Instant fromClock(Clock clock) {
    return clock.instant();
  }

  public int random() {
    return new Random().nextInt();
  }

  public String uuid() {
    return UUID.randomUUID().toString();
  }

  public void thread() throws InterruptedException {
    Thread.sleep(10);
  }

  public void executor() {
    Executors.newSingleThreadExecutor().shutdown();
  }

  public void lock() {
    new ReentrantLock().lock();
  }

  public boolean io() throws Exception {
    return new File("x").exists() || Files.exists(Path.of("y")) || URI.create("http://x").isAbsolute();
  }

  public boolean spring(String text) {
    return StringUtils.hasText(text);
  }
}
