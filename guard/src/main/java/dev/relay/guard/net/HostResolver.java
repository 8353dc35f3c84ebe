package dev.relay.guard.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses. The system resolver in production; tests plug in their own to
 * make a name resolve somewhere else between two lookups (a DNS rebind).
 */
@FunctionalInterface
public interface HostResolver {
  /** Every address the name has (an IP literal is its own address, without a lookup). */
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /** The JVM's resolver ({@link InetAddress#getAllByName}). */
  HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
}
