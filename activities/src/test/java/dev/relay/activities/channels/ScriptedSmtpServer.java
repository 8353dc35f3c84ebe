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
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A tiny SMTP server for failure cases GreenMail cannot produce: it speaks real SMTP over a
 * socket and answers each stage with a scripted reply (e.g. {@code 550 5.1.1 no such user}), or
 * drops the connection right after the message data, before replying (the ambiguous case).
 *
 * <p>{@link #authenticating} makes it a submission server: it offers AUTH (PLAIN, LOGIN), and
 * STARTTLS with the given certificate when there is one; every command line it receives is kept
 * ({@link #commands()}), marked with whether it came over TLS.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

  public enum Stage { GREETING, MAIL, RCPT, DATA_END }

  private final ServerSocket server;
  private final Map<Stage, String> replies;
  private final boolean dropAfterData;
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final List<Command> commands = new CopyOnWriteArrayList<>();
  private final boolean auth;
  private final SSLContext tls;
  private final Thread thread;
  private volatile Socket current;

  /** One command line as received; {@code tls} when it came after a STARTTLS handshake. */
  public record Command(String line, boolean tls) {}

  private ScriptedSmtpServer(Map<Stage, String> replies, boolean dropAfterData, boolean auth,
      SSLContext tls) throws IOException {
    this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    this.replies = new EnumMap<>(Stage.class);
    this.replies.putAll(replies);
    this.dropAfterData = dropAfterData;
    this.auth = auth;
    this.tls = tls;
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

  /**
   * A server that offers AUTH and, when {@code tls} is not null, STARTTLS with that context's
   * certificate; it accepts any credentials.
   */
  public static ScriptedSmtpServer authenticating(SSLContext tls) {
    try {
      return new ScriptedSmtpServer(Map.of(), false, true, tls);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ScriptedSmtpServer start(Map<Stage, String> replies, boolean drop) {
    try {
      return new ScriptedSmtpServer(replies, drop, false, null);
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

  /** Every command line received, in order, over every connection. */
  public List<Command> commands() {
    return commands;
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket socket = server.accept()) {
        current = socket;
        converse(socket);
      } catch (IOException e) {
        // closed by the client, by us, or by close(): wait for the next connection
      }
    }
  }

  private void converse(Socket plain) throws IOException {
    Socket socket = plain;
    BufferedReader in = reader(socket);
    OutputStream out = socket.getOutputStream();
    send(out, replies.getOrDefault(Stage.GREETING, "220 scripted ESMTP"));
    String line;
    while ((line = in.readLine()) != null) {
      boolean secure = socket instanceof SSLSocket;
      commands.add(new Command(line, secure));
      String verb = line.length() < 4 ? line : line.substring(0, 4).toUpperCase(Locale.ROOT);
      switch (verb) {
        case "EHLO", "HELO" -> send(out, ehlo(secure));
        case "STAR" -> {
          if (tls == null || secure) {
            send(out, "502 5.5.1 STARTTLS not offered");
            continue;
          }
          send(out, "220 2.0.0 ready to start TLS");
          SSLSocket upgraded = (SSLSocket) tls.getSocketFactory().createSocket(
              plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
          upgraded.setUseClientMode(false);
          upgraded.startHandshake();
          socket = upgraded;
          in = reader(socket);
          out = socket.getOutputStream();
        }
        case "AUTH" -> {
          if (!auth) {
            send(out, "502 5.5.1 AUTH not offered");
            continue;
          }
          String[] words = line.split(" ");
          String mechanism = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
          if (mechanism.equals("LOGIN")) {
            send(out, "334 VXNlcm5hbWU6");
            commands.add(new Command(in.readLine(), secure));
            send(out, "334 UGFzc3dvcmQ6");
            commands.add(new Command(in.readLine(), secure));
          } else if (mechanism.equals("PLAIN") && words.length < 3) {
            send(out, "334 ");
            commands.add(new Command(in.readLine(), secure));
          }
          send(out, "235 2.7.0 authenticated");
        }
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

  /** EHLO's extensions: STARTTLS while it can still be used, AUTH when authenticating. */
  private String ehlo(boolean secure) {
    StringBuilder reply = new StringBuilder("250-scripted\r\n");
    if (tls != null && !secure) {
      reply.append("250-STARTTLS\r\n");
    }
    if (auth) {
      reply.append("250-AUTH PLAIN LOGIN\r\n");
    }
    return reply.append("250 8BITMIME").toString();
  }

  private static BufferedReader reader(Socket socket) throws IOException {
    return new BufferedReader(
        new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
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
    Socket open = current;
    if (open != null) {
      open.close(); // a client that left without QUIT must not hold up the join
    }
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
