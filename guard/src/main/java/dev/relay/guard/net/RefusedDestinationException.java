package dev.relay.guard.net;

import java.net.InetAddress;

/**
 * Relay will not connect there: a URL with a refused scheme, or a host with (at least) one
 * address in a refused range. The message says what was refused and why, for an API problem and
 * for the {@code last_error} of a webhook event.
 */
public class RefusedDestinationException extends Exception {
  private final String host;
  private final transient InetAddress address;
  private final String reason;

  public RefusedDestinationException(String host, InetAddress address, String reason,
      String message) {
    super(message);
    this.host = host;
    this.address = address;
    this.reason = reason;
  }

  /** The host as written in the URL. */
  public String host() {
    return host;
  }

  /** The address that was refused; null when the URL itself was (its scheme). */
  public InetAddress address() {
    return address;
  }

  /** Why, e.g. {@code a loopback address (127.0.0.0/8)}. */
  public String reason() {
    return reason;
  }
}
