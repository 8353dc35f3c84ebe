package dev.relay.systemtests.stack;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real SMTP server (GreenMail) in the test JVM on a free loopback port. It keeps every message
 * it accepted, so a test counts what reached a recipient, and by which Message-ID.
 */
public final class SmtpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SmtpServer.class);
  private final int port = Ports.free();
  private final GreenMail greenMail;

  public SmtpServer() {
    ServerSetup setup = new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
    setup.setServerStartupTimeout(10_000);
    this.greenMail = new GreenMail(setup);
  }

  public SmtpServer start() {
    quietAboutAbortedConnections();
    greenMail.start();
    return this;
  }

  /**
   * A worker killed mid-conversation leaves GreenMail's connection thread to die with "Unexpected
   * error handling connection" and a stack trace on stderr. That is the expected effect of the
   * kill, not a failure: say it in one line.
   */
  private static synchronized void quietAboutAbortedConnections() {
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    if (previous instanceof AbortedConnections) {
      return;
    }
    Thread.setDefaultUncaughtExceptionHandler(new AbortedConnections(previous));
  }

  private record AbortedConnections(Thread.UncaughtExceptionHandler previous)
      implements Thread.UncaughtExceptionHandler {
    @Override
    public void uncaughtException(Thread thread, Throwable error) {
      if (thread.getName().startsWith("smtp:")) {
        log.info("SMTP connection {} aborted by the client: {}", thread.getName(), error.toString());
      } else if (previous != null) {
        previous.uncaughtException(thread, error);
      } else {
        System.err.print("Exception in thread \"" + thread.getName() + "\" ");
        error.printStackTrace();
      }
    }
  }

  public int port() {
    return port;
  }

  public List<MimeMessage> all() {
    return Arrays.asList(greenMail.getReceivedMessages());
  }

  /** Every message addressed to {@code address}, duplicates included. */
  public List<MimeMessage> messagesTo(String address) {
    return all().stream().filter(m -> addressedTo(m, address)).toList();
  }

  public static String messageId(MimeMessage message) {
    try {
      return message.getMessageID();
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean addressedTo(MimeMessage message, String address) {
    try {
      Address[] to = message.getAllRecipients();
      return to != null && Arrays.stream(to).anyMatch(a -> a instanceof InternetAddress ia
          ? address.equalsIgnoreCase(ia.getAddress()) : address.equalsIgnoreCase(a.toString()));
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    greenMail.stop();
  }
}
