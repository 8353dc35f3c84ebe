package dev.relay.systemtests.stack;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * An SMTP relay as the worker sees it, with faults on demand: a {@link TcpProxy} in front of a
 * real SMTP server (GreenMail). Healthy, connections are piped through unchanged. A fault applies
 * to every new connection ({@link #fault}) or to connections in turn ({@link #cycle}):
 *
 * <ul>
 *   <li>{@link Fault#GREETING_421}, {@link Fault#MAIL_451}, {@link Fault#RCPT_452}, {@link
 *       Fault#DATA_451}: a scripted server answers a transient 4xx at that point of the
 *       conversation (at the end of the data for DATA_451); nothing reaches the real server;
 *   <li>{@link Fault#SLOW_REPLIES}: piped, each reply of the real server held back a while (below
 *       the client's timeout, above the breaker's slow-call threshold over a conversation);
 *   <li>{@link Fault#STALL_AFTER_DATA}: piped, but the real server's answer to the message data is
 *       held back longer than the client waits: the server has the message, the client cannot
 *       know — the ambiguous case, resent with the same Message-ID.
 * </ul>
 *
 * {@link #down()} takes the relay off the network (connections refused).
 */
public final class SmtpFaults implements AutoCloseable {

  public enum Fault {
    GREETING_421, MAIL_451, RCPT_452, DATA_451, SLOW_REPLIES, STALL_AFTER_DATA;

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final TcpProxy proxy;
  private final Duration replyDelay;
  private final Duration stall;
  private final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);
  private final AtomicInteger passed = new AtomicInteger();

  /**
   * @param replyDelay how long {@link Fault#SLOW_REPLIES} holds back each reply
   * @param stall how long {@link Fault#STALL_AFTER_DATA} holds back the answer to the data (more
   *     than the worker's SMTP timeout)
   */
  public SmtpFaults(String name, int smtpPort, Duration replyDelay, Duration stall) {
    this.proxy = new TcpProxy(name, "127.0.0.1", smtpPort);
    this.replyDelay = replyDelay;
    this.stall = stall;
    for (Fault f : Fault.values()) {
      injected.put(f, new AtomicInteger());
    }
    ok();
  }

  public SmtpFaults start() {
    proxy.start();
    return this;
  }

  public int port() {
    return proxy.port();
  }

  public Duration replyDelay() {
    return replyDelay;
  }

  public Duration stall() {
    return stall;
  }

  /** Healthy and reachable: every connection is piped to the real server. */
  public void ok() {
    proxy.handler((client, p) -> handle(client, null));
    proxy.up();
  }

  /** Unreachable: connections are refused, open ones cut. */
  public void down() {
    proxy.down();
  }

  /** Every new connection gets {@code fault}. */
  public void fault(Fault fault) {
    proxy.handler((client, p) -> handle(client, fault));
    proxy.up();
  }

  /**
   * New connections get the faults of {@code pattern} in turn, starting at {@code offset} and
   * wrapping around; a null entry pipes that connection through unharmed. Deterministic: every
   * fault of the pattern is injected once per pattern length of connections.
   */
  public void cycle(int offset, List<Fault> pattern) {
    AtomicInteger next = new AtomicInteger(offset);
    proxy.handler((client, p) -> handle(client,
        pattern.get(Math.floorMod(next.getAndIncrement(), pattern.size()))));
    proxy.up();
  }

  /** What was injected so far, e.g. {@code "ok 12, mail-451 3, stall-after-data 1"}. */
  public String injectedSummary() {
    String faults = injected.entrySet().stream()
        .filter(e -> e.getValue().get() > 0)
        .map(e -> e.getKey().label() + " " + e.getValue().get())
        .collect(Collectors.joining(", "));
    return "piped " + passed.get() + (faults.isEmpty() ? "" : ", " + faults);
  }

  /** A pattern in words, e.g. {@code "greeting-421, ok, mail-451"}. */
  public static String describe(List<Fault> pattern) {
    return pattern.stream().map(f -> f == null ? "ok" : f.label()).collect(Collectors.joining(", "));
  }

  public void resetCounts() {
    passed.set(0);
    injected.values().forEach(c -> c.set(0));
  }

  private void handle(Socket client, Fault fault) throws IOException {
    if (fault == null) {
      passed.incrementAndGet();
    } else {
      injected.get(fault).incrementAndGet();
    }
    if (fault == null || fault == Fault.SLOW_REPLIES || fault == Fault.STALL_AFTER_DATA) {
      Duration perReply = fault == Fault.SLOW_REPLIES ? replyDelay : Duration.ZERO;
      Duration afterData = fault == Fault.STALL_AFTER_DATA ? stall : Duration.ZERO;
      try (Socket upstream = proxy.connectUpstream()) {
        proxy.pipe(client, upstream, (in, out) -> relayReplies(in, out, perReply, afterData));
      }
      return;
    }
    script(client, fault);
  }

  /**
   * The real server's replies to the client, line by line; the last line of each reply is held
   * back {@code perReply}, the reply that follows the 354 go-ahead (the answer to the data)
   * {@code afterData} instead.
   */
  private static void relayReplies(InputStream raw, OutputStream out, Duration perReply,
      Duration afterData) throws IOException {
    InputStream in = new BufferedInputStream(raw);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    boolean dataSent = false;
    int b;
    try {
      while ((b = in.read()) >= 0) {
        line.write(b);
        if (b != '\n') {
          continue;
        }
        byte[] bytes = line.toByteArray();
        line.reset();
        String text = new String(bytes, StandardCharsets.US_ASCII);
        boolean lastLineOfReply = text.length() < 4 || text.charAt(3) != '-';
        if (lastLineOfReply) {
          if (dataSent && !afterData.isZero()) {
            sleep(afterData);
          } else if (!perReply.isZero()) {
            sleep(perReply);
          }
          dataSent = text.startsWith("354");
        }
        out.write(bytes);
        out.flush();
      }
    } catch (java.net.SocketException e) {
      // the client gave up (timeout) or the proxy went down
    }
  }

  /** A scripted relay that refuses with a transient 4xx at the fault's point; stores nothing. */
  private static void script(Socket client, Fault fault) throws IOException {
    BufferedReader in = new BufferedReader(
        new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
    OutputStream out = client.getOutputStream();
    if (fault == Fault.GREETING_421) {
      send(out, "421 4.3.2 fault-proxy: service not available, closing transmission channel");
      return;
    }
    send(out, "220 fault-proxy ESMTP");
    String line;
    while ((line = in.readLine()) != null) {
      String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
      switch (command) {
        case "EHLO", "HELO" -> send(out, "250 fault-proxy");
        case "MAIL" -> send(out, fault == Fault.MAIL_451
            ? "451 4.3.0 fault-proxy: temporary local problem, try again later"
            : "250 2.1.0 OK");
        case "RCPT" -> send(out, fault == Fault.RCPT_452
            ? "452 4.2.2 fault-proxy: mailbox temporarily over quota"
            : "250 2.1.5 OK");
        case "DATA" -> {
          send(out, "354 End data with <CR><LF>.<CR><LF>");
          String data;
          while ((data = in.readLine()) != null && !data.equals(".")) {
            // swallowed: this relay never stores anything
          }
          // Never 250 here: the message was not stored, so it must not be called accepted.
          send(out, "451 4.3.0 fault-proxy: queue temporarily unavailable, try again later");
        }
        case "QUIT" -> {
          send(out, "221 2.0.0 bye");
          return;
        }
        case "RSET", "NOOP" -> send(out, "250 2.0.0 OK");
        default -> send(out, "502 5.5.2 command not recognized");
      }
    }
  }

  private static void send(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    proxy.close();
  }

  @Override
  public String toString() {
    return proxy.toString();
  }
}
