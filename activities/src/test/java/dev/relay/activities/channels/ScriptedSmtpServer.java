package dev.relay.activities.channels;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny SMTP server for failure cases GreenMail cannot produce: it speaks real SMTP over a
 * socket and answers each stage with a scripted reply (e.g. {@code 550 5.1.1 no such user}), or
 * drops the connection right after the message data, before replying (the ambiguous case).
 */
public final class ScriptedSmtpServer implements AutoCloseable {

  public enum Stage { GREETING, MAIL, RCPT, DATA_END }

  private final ServerSocket server;
  private final Map<Stage, String> replies;
  private final boolean dropAfterData;
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final Thread thread;

  private ScriptedSmtpServer(Map<Stage, String> replies, boolean dropAfterData)
      throws IOException {
    this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    this.replies = new EnumMap<>(Stage.class);
    this.replies.putAll(replies);
    this.dropAfterData = dropAfterData;
    this.thread = new Thread(this::serve, "scripted-smtp");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Answers {@code stage} with {@code reply}; every other stage succeeds. */
  public static ScriptedSmtpServer replying(Stage stage, String reply) {
    return start(Map.of(stage, reply), false);
  }

  /** Takes the whole message, then closes the connection without answering it. */
  public static ScriptedSmtpServer droppingAfterData() {
    return start(Map.of(), true);
  }

  private static ScriptedSmtpServer start(Map<Stage, String> replies, boolean drop) {
    try {
      return new ScriptedSmtpServer(replies, drop);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The raw message data received (dot-stuffing removed). */
  public List<String> messages() {
    return messages;
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket socket = server.accept()) {
        converse(socket);
      } catch (IOException e) {
        // closed by the client, by us, or by close(): wait for the next connection
      }
    }
  }

  private void converse(Socket socket) throws IOException {
    BufferedReader in = new BufferedReader(
        new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    OutputStream out = socket.getOutputStream();
    send(out, replies.getOrDefault(Stage.GREETING, "220 scripted ESMTP"));
    String line;
    while ((line = in.readLine()) != null) {
      String verb = line.length() < 4 ? line : line.substring(0, 4).toUpperCase(Locale.ROOT);
      switch (verb) {
        case "EHLO", "HELO" -> send(out, "250 scripted");
        case "MAIL" -> send(out, replies.getOrDefault(Stage.MAIL, "250 2.1.0 ok"));
        case "RCPT" -> send(out, replies.getOrDefault(Stage.RCPT, "250 2.1.5 ok"));
        case "DATA" -> {
          send(out, "354 end with <CRLF>.<CRLF>");
          messages.add(readData(in));
          if (dropAfterData) {
            return;
          }
          send(out, replies.getOrDefault(Stage.DATA_END, "250 2.0.0 queued"));
        }
        case "RSET", "NOOP" -> send(out, "250 2.0.0 ok");
        case "QUIT" -> {
          send(out, "221 2.0.0 bye");
          return;
        }
        default -> send(out, "500 5.5.1 unknown command");
      }
    }
  }

  private static String readData(BufferedReader in) throws IOException {
    StringBuilder data = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null && !line.equals(".")) {
      data.append(line.startsWith("..") ? line.substring(1) : line).append("\r\n");
    }
    return data.toString();
  }

  private static void send(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A port nothing listens on (bound, then released). */
  public static int closedPort() {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
