package dev.relay.activities.webhooks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A tenant's webhook endpoint for tests: a real HTTP server on a free port that answers with
 * scripted status codes (200 once the script is used up) and records every request.
 */
final class WebhookReceiver implements AutoCloseable {

  /** One POST as the receiver saw it. */
  record Received(String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst().orElse(null);
    }
  }

  private final HttpServer server;
  private final Deque<Integer> script = new ArrayDeque<>();
  private final List<Received> received = new ArrayList<>();
  private volatile Duration delay = Duration.ZERO;

  WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int status;
      synchronized (this) {
        received.add(new Received(exchange.getRequestURI().getPath(),
            Map.copyOf(exchange.getRequestHeaders()), body));
        status = script.isEmpty() ? 200 : script.poll();
      }
      sleep(delay);
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The next answers, in order; afterwards 200. */
  synchronized WebhookReceiver answers(Integer... statuses) {
    script.addAll(List.of(statuses));
    return this;
  }

  /** Every answer waits this long first (to make the sender time out). */
  WebhookReceiver slow(Duration delay) {
    this.delay = delay;
    return this;
  }

  synchronized List<Received> received() {
    return List.copyOf(received);
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
