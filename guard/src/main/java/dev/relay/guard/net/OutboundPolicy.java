package dev.relay.guard.net;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where Relay may send to a URL a tenant gave it (status webhooks): {@code https} to public
 * addresses only. Every address a host resolves to must be public unicast; loopback, private
 * (RFC 1918, fc00::/7), link-local (169.254/16 with the cloud metadata service, fe80::/10),
 * carrier-grade NAT, multicast, documentation, reserved and unspecified addresses are refused, also
 * inside IPv6 (IPv4-mapped, NAT64, 6to4). See {@link AddressRanges}.
 *
 * <p>The check is made when the URL is set and again for every connection (DNS can change in
 * between); the HTTP client connects only to the addresses {@link #vet} returned, so a rebind
 * between the check and the connection cannot redirect it.
 *
 * @param allowInsecureLocal local development only ({@code relay.webhooks.allow-insecure-local}):
 *     also {@code http}, and loopback addresses (a receiver on the developer's machine); every
 *     other refused range stays refused
 */
public record OutboundPolicy(HostResolver resolver, boolean allowInsecureLocal) {

  public OutboundPolicy {
    resolver = resolver == null ? HostResolver.SYSTEM : resolver;
  }

  /** The production policy: https and public addresses only, the system resolver. */
  public static OutboundPolicy strict() {
    return new OutboundPolicy(HostResolver.SYSTEM, false);
  }

  /**
   * Checks what can be checked without DNS: the scheme and, for an IP literal, the address.
   *
   * @throws RefusedDestinationException for http (unless allowed), another scheme, no host or a
   *     refused IP literal
   */
  public URI checkUrl(URI url) throws RefusedDestinationException {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    String host = url.getHost();
    if (!scheme.equals("https") && !(allowInsecureLocal && scheme.equals("http"))) {
      throw new RefusedDestinationException(host, null, "not https",
          scheme.equals("http")
              ? "must be an https URL (plain http is allowed only with the local-development "
                  + "setting relay.webhooks.allow-insecure-local=true)"
              : "must be an https URL");
    }
    if (host == null || host.isBlank()) {
      throw new RefusedDestinationException(host, null, "no host", "must name a host");
    }
    Optional<InetAddress> literal = literal(host);
    if (literal.isPresent()) {
      check(host, literal.get());
    }
    return url;
  }

  /**
   * Resolves the host and checks every address it has: one refused address refuses the host (a
   * client may connect to any of them). Returns the addresses, to connect to exactly those.
   *
   * @throws UnknownHostException when the name does not resolve
   * @throws RefusedDestinationException naming the first refused address and why
   */
  public List<InetAddress> vet(String host) throws UnknownHostException,
      RefusedDestinationException {
    String bare = unbracket(host);
    List<InetAddress> addresses = resolver.resolve(bare);
    if (addresses == null || addresses.isEmpty()) {
      throw new UnknownHostException(bare + ": no addresses");
    }
    for (InetAddress address : addresses) {
      check(host, address);
    }
    return List.copyOf(addresses);
  }

  /** Why this address is refused under this policy, if it is. */
  public Optional<AddressRanges.Verdict> refusal(InetAddress address) {
    return AddressRanges.refused(address)
        .filter(v -> !(allowInsecureLocal && v.range().kind() == AddressRanges.Kind.LOOPBACK));
  }

  private void check(String host, InetAddress address) throws RefusedDestinationException {
    Optional<AddressRanges.Verdict> verdict = refusal(address);
    if (verdict.isPresent()) {
      String ip = address.getHostAddress();
      String bare = unbracket(host);
      String subject = bare.equalsIgnoreCase(ip) || literal(bare).isPresent()
          ? ip : bare + " resolves to " + ip + ", which";
      throw new RefusedDestinationException(host, address, verdict.get().reason(),
          subject + " is " + verdict.get().reason()
              + "; Relay sends webhooks only to public internet addresses");
    }
  }

  /** The address of an IP literal host ({@code 10.0.0.1}, {@code [::1]}), without any lookup. */
  static Optional<InetAddress> literal(String host) {
    String bare = unbracket(host);
    boolean v6 = bare.indexOf(':') >= 0;
    boolean v4 = !bare.isEmpty() && bare.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    if (!v6 && !v4) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(bare)); // a literal: parsed, not looked up
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  static String unbracket(String host) {
    return host != null && host.startsWith("[") && host.endsWith("]")
        ? host.substring(1, host.length() - 1) : host;
  }
}
