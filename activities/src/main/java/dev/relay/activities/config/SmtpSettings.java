package dev.relay.activities.config;

import java.time.Duration;

/**
 * The SMTP relay email goes through.
 *
 * @param username null for an unauthenticated relay (a local catcher)
 * @param startTls require STARTTLS before sending credentials or content
 * @param timeout connect, read and write timeout of one SMTP conversation
 */
public record SmtpSettings(
    String host,
    int port,
    String username,
    String password,
    boolean startTls,
    String from,
    Duration timeout) {

  public static SmtpSettings local(int port) {
    return new SmtpSettings("localhost", port, null, null, false, "Relay <relay@localhost>",
        Duration.ofSeconds(10));
  }
}
