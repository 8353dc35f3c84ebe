package dev.relay.activities.config;

import java.time.Duration;
import java.util.List;

/**
 * The SMTP relay email goes through.
 *
 * <p>Credentials never cross the network in clear: a relay with a username or password must use
 * STARTTLS ({@code startTls}, then required, not just attempted) or implicit TLS ({@code ssl},
 * "SMTPS"). {@link #requireTlsForCredentials} says what to set when it does not.
 *
 * @param username null for an unauthenticated relay (a local catcher)
 * @param startTls require STARTTLS before sending credentials or content: a relay that does not
 *     offer it is refused before AUTH or MAIL
 * @param ssl implicit TLS from the first byte (SMTPS, usually port 465)
 * @param timeout connect, read and write timeout of one SMTP conversation
 * @param trust whom to trust for TLS besides the JVM's default trust store
 */
public record SmtpSettings(
    String host,
    int port,
    String username,
    String password,
    boolean startTls,
    boolean ssl,
    String from,
    Duration timeout,
    Trust trust) {

  /**
   * Trust for the relay's certificate. The JVM's trust store always applies unless a CA file is
   * given; the server's name is always checked against its certificate.
   *
   * @param caCertFile PEM file of the CA certificate(s) to trust instead of the JVM's (a private
   *     CA, or a relay's self-signed certificate); null for the JVM's trust store
   * @param trustedHosts hosts whose certificate is accepted without checking its chain
   *     ({@code mail.smtp.ssl.trust}); a last resort, never {@code *}
   */
  public record Trust(String caCertFile, List<String> trustedHosts) {
    public static final Trust SYSTEM = new Trust(null, List.of());

    public Trust {
      caCertFile = caCertFile == null || caCertFile.isBlank() ? null : caCertFile.strip();
      trustedHosts = trustedHosts == null ? List.of() : trustedHosts.stream()
          .map(String::strip).filter(h -> !h.isEmpty()).toList();
    }
  }

  public SmtpSettings {
    username = blankToNull(username);
    password = blankToNull(password);
    trust = trust == null ? Trust.SYSTEM : trust;
  }

  /** Plain SMTP, no credentials, the JVM's trust store (and STARTTLS when {@code startTls}). */
  public SmtpSettings(String host, int port, String username, String password, boolean startTls,
      String from, Duration timeout) {
    this(host, port, username, password, startTls, false, from, timeout, Trust.SYSTEM);
  }

  public static SmtpSettings local(int port) {
    return new SmtpSettings("localhost", port, null, null, false, "Relay <relay@localhost>",
        Duration.ofSeconds(10));
  }

  /** Whether the relay is sent a username and password. */
  public boolean authenticates() {
    return username != null || password != null;
  }

  /** Whether every byte after the greeting (or from the first byte) is encrypted. */
  public boolean encrypted() {
    return startTls || ssl;
  }

  /**
   * Refuses settings that would send credentials in clear, or trust any certificate.
   *
   * @param provider the provider's name (smtp-primary, smtp-secondary)
   * @param prefix the configuration prefix of these settings ({@code relay.smtp}), for the
   *     message; blank names the settings alone ({@code start-tls})
   * @throws IllegalStateException saying what to set
   */
  public void requireTlsForCredentials(String provider, String prefix) {
    prefix = prefix == null || prefix.isBlank() ? "" : prefix + ".";
    if (password != null && username == null) {
      throw new IllegalStateException("SMTP provider '" + provider + "': " + prefix
          + "password is set but " + prefix + "username is blank; set both or neither");
    }
    if (authenticates() && !encrypted()) {
      throw new IllegalStateException("SMTP provider '" + provider + "' has credentials ("
          + prefix + "username) but no TLS, so its password would cross the network in clear."
          + " Set " + prefix + "start-tls=true (STARTTLS, usually port 587) or " + prefix
          + "ssl=true (SMTPS, usually port 465), or remove the credentials for a local relay.");
    }
    if (startTls && ssl) {
      throw new IllegalStateException("SMTP provider '" + provider + "': " + prefix
          + "start-tls and " + prefix + "ssl are both true; STARTTLS upgrades a plain"
          + " connection (port 587), SMTPS is TLS from the start (port 465): set one");
    }
    if (trust.trustedHosts().contains("*")) {
      throw new IllegalStateException("SMTP provider '" + provider + "': " + prefix
          + "trusted-hosts=* would accept any certificate, and hand the credentials to whoever"
          + " answers. Name the relay's host, or better set " + prefix + "ca-cert-file to the"
          + " CA (or self-signed certificate) that signed it.");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
