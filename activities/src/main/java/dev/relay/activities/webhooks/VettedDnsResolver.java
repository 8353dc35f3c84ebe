package dev.relay.activities.webhooks;

import dev.relay.guard.net.OutboundPolicy;
import dev.relay.guard.net.RefusedDestinationException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The webhook client's only resolver: every connection resolves its host here, once, and every
 * address is checked against the {@link OutboundPolicy}; the client then connects to exactly the
 * addresses returned. So the check and the connection use the same answer (the address is pinned)
 * and a DNS rebind between them cannot redirect it. TLS still verifies and sends SNI for the host
 * name of the URL, not the address.
 */
final class VettedDnsResolver implements DnsResolver {
  private final OutboundPolicy policy;

  VettedDnsResolver(OutboundPolicy policy) {
    this.policy = policy;
  }

  /** Refused by the policy: an UnknownHostException, as the resolver contract allows no other. */
  static final class RefusedAddressException extends UnknownHostException {
    RefusedAddressException(RefusedDestinationException refused) {
      super(refused.getMessage());
      initCause(refused);
    }
  }

  @Override
  public InetAddress[] resolve(String host) throws UnknownHostException {
    try {
      return policy.vet(host).toArray(InetAddress[]::new);
    } catch (RefusedDestinationException e) {
      throw new RefusedAddressException(e);
    }
  }

  @Override
  public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
    return List.of(resolve(host)).stream().map(a -> new InetSocketAddress(a, port)).toList();
  }

  @Override
  public String resolveCanonicalHostname(String host) throws UnknownHostException {
    return host; // never used for a connection: no reverse lookups
  }
}
