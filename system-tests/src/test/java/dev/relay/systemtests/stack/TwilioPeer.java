package dev.relay.systemtests.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.systemtests.client.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The local Twilio-speaking HTTP server (scripts/twilio_peer.py) as a process: it takes sends with
 * real Basic auth and form bodies, and posts signed status callbacks ({@code sent}, then {@code
 * delivered}) to the URL each message names. {@code /_peer/messages} lists what it accepted;
 * {@code /_peer/mode} makes the next sends fail.
 */
public final class TwilioPeer implements AutoCloseable {
  public static final String ACCOUNT_SID = "AC00000000000000000000000000000000";
  public static final String AUTH_TOKEN = "system-tests-auth-token";

  /**
   * How the peer answers sends. {@code SLOW}, {@code TIMEOUT} and {@code LOST_REPLY} take a delay
   * ({@link #mode(Mode, Duration)}): SLOW answers normally after it; TIMEOUT creates nothing and
   * hangs up after it; LOST_REPLY creates the message (its callbacks follow) and then hangs up
   * after it, so the sender cannot know whether it was sent: the ambiguous case.
   */
  public enum Mode {
    OK("ok"), FAIL_500("fail500"), FAIL_429("fail429"), RESET("reset"), INVALID_NUMBER("invalid_number"),
    SLOW("slow"), TIMEOUT("timeout"), LOST_REPLY("lost_reply");

    private final String wire;

    Mode(String wire) {
      this.wire = wire;
    }
  }

  private final int port = Ports.free();
  private final ManagedProcess process;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public TwilioPeer(Path workDir, Path logDir) {
    this.process = new ManagedProcess("twilio-peer", List.of(StackPaths.python(), "-u",
        StackPaths.twilioPeerScript().toString(),
        "--host", "127.0.0.1",
        "--port", Integer.toString(port),
        "--account-sid", ACCOUNT_SID,
        "--auth-token", AUTH_TOKEN,
        "--callback-delay", "0.2",
        "--log-file", logDir.resolve("twilio-messages.jsonl").toString()),
        Map.of("PYTHONUNBUFFERED", "1"), workDir, logDir.resolve("twilio-peer.log"));
  }

  public TwilioPeer start() {
    process.start();
    Poll.until("the Twilio peer on port " + port + " to answer", Duration.ofSeconds(30), () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("the Twilio peer exited:\n" + process.logTail(20));
      }
      return get("/_peer/health").statusCode();
    }, status -> status == 200);
    return this;
  }

  /** The base URL the worker's Twilio client is routed to. */
  public String baseUrl() {
    return "http://localhost:" + port;
  }

  /** Every message the peer accepted so far. */
  public List<JsonNode> messages() {
    HttpResponse<String> response = get("/_peer/messages");
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET /_peer/messages → " + response.statusCode());
    }
    List<JsonNode> out = new ArrayList<>();
    Json.read(response.body()).forEach(out::add);
    return out;
  }

  public List<JsonNode> messagesTo(String number) {
    return messages().stream().filter(m -> number.equals(m.path("to").asText())).toList();
  }

  public void mode(Mode mode) {
    mode(mode, null);
  }

  /** Switches the mode; {@code delay} (null: the peer's default) for the modes that wait. */
  public void mode(Mode mode, Duration delay) {
    String form = "mode=" + mode.wire
        + (delay == null ? "" : "&delay=" + (delay.toMillis() / 1000.0));
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/_peer/mode"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("POST /_peer/mode → " + response.statusCode());
    }
  }

  public ManagedProcess process() {
    return process;
  }

  private HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(5));
  }
}
