package dev.relay.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batch client against a tiny stub of POST /v1/deliveries/batch on loopback. */
class BatchClientTest {
  private HttpServer server;
  private final AtomicReference<JsonNode> lastBody = new AtomicReference<>();
  private final AtomicReference<String> lastAuth = new AtomicReference<>();

  private URI start(int status, String answer) throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/deliveries/batch", exchange -> {
      lastBody.set(Http.JSON.readTree(exchange.getRequestBody()));
      lastAuth.set(exchange.getRequestHeaders().getFirst("Authorization"));
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
      exchange.close();
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void sendsItemsAndReadsEachOutcome() throws Exception {
    URI api = start(200, """
        {"results":[
          {"index":0,"idempotencyKey":"k0","outcome":"accepted","deliveryId":"dlv-0"},
          {"index":1,"idempotencyKey":"k1","outcome":"replayed","deliveryId":"dlv-1"},
          {"index":2,"idempotencyKey":"k2","outcome":"rejected","problem":{"title":"no consent"}}],
         "accepted":1,"replayed":1,"rejected":1}""");
    BatchClient client = new BatchClient(new Http(), api, "key");
    List<Map<String, Object>> items = List.of(
        Map.of("idempotencyKey", "k0", "recipientId", "a"),
        Map.of("idempotencyKey", "k1", "recipientId", "b"),
        Map.of("idempotencyKey", "k2", "recipientId", "c"));

    BatchClient.Outcome o = client.send(items);

    assertEquals(1, o.accepted());
    assertEquals(1, o.replayed());
    assertEquals(1, o.rejected());
    assertEquals("dlv-1", o.results().get(1).deliveryId());
    assertNull(o.results().get(2).deliveryId());
    assertTrue(o.results().get(2).problem().contains("no consent"));
    assertEquals(3, lastBody.get().path("items").size());
    assertEquals("k2", lastBody.get().path("items").get(2).path("idempotencyKey").asText());
    assertEquals("Bearer key", lastAuth.get());
  }

  @Test
  void aDatabaseOutageIsRetriedAsAWholeRequest() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/deliveries/batch", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] ok = """
          {"results":[{"index":0,"idempotencyKey":"k","outcome":"accepted","deliveryId":"dlv-0"}],
           "accepted":1,"replayed":0,"rejected":0}""".getBytes(StandardCharsets.UTF_8);
      if (calls.incrementAndGet() == 1) {
        exchange.sendResponseHeaders(503, -1);
      } else {
        exchange.sendResponseHeaders(200, ok.length);
        exchange.getResponseBody().write(ok);
      }
      exchange.close();
    });
    server.start();
    BatchClient client = new BatchClient(new Http(),
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "key");
    assertEquals(1, client.send(List.of(Map.of("idempotencyKey", "k"))).accepted());
    assertEquals(2, calls.get());
  }

  @Test
  void aMissingEndpointIsSaidPlainly() throws Exception {
    URI api = start(404, "");
    BatchClient client = new BatchClient(new Http(), api, "key");
    BatchClient.Unavailable e = assertThrows(BatchClient.Unavailable.class, client::probe);
    assertTrue(e.getMessage().contains("not in this build"), e.getMessage());
  }

  @Test
  void refusesBatchesOverTheLimitWithoutSending() throws Exception {
    URI api = start(200, "{}");
    BatchClient client = new BatchClient(new Http(), api, "key");
    List<Map<String, Object>> tooMany = java.util.Collections.nCopies(1001, Map.of());
    assertThrows(IllegalArgumentException.class, () -> client.send(tooMany));
    assertNull(lastBody.get());
  }

  @Test
  void anAnswerThatDoesNotCoverEveryItemIsAnError() throws Exception {
    URI api = start(200, "{\"results\":[],\"accepted\":0,\"replayed\":0,\"rejected\":0}");
    BatchClient client = new BatchClient(new Http(), api, "key");
    assertThrows(IllegalStateException.class, () -> client.send(List.of(Map.of("idempotencyKey", "k"))));
  }
}
