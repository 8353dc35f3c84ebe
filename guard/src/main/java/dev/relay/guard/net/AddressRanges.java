package dev.relay.guard.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * The address ranges an outbound connection to a tenant-supplied URL must never reach: everything
 * that is not a public unicast address. An IPv6 address that carries an IPv4 address (mapped,
 * compatible, NAT64, 6to4) is judged by the IPv4 address inside.
 */
public final class AddressRanges {

  /** A refused range: a CIDR block and what it is. */
  public record Range(String cidr, byte[] network, int prefix, Kind kind, String description) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  /** What kind of non-public address: loopback is the only kind the local-development flag allows. */
  public enum Kind { LOOPBACK, NOT_PUBLIC }

  /** What an address was refused as: the range it is in. */
  public record Verdict(InetAddress address, Range range) {
    /** E.g. {@code a loopback address (127.0.0.0/8)}. */
    public String reason() {
      return range.description() + " (" + range.cidr() + ")";
    }
  }

  private static final List<Range> V4 = List.of(
      range("0.0.0.0/8", Kind.NOT_PUBLIC, "an unspecified (\"this network\") address"),
      range("10.0.0.0/8", Kind.NOT_PUBLIC, "a private address (RFC 1918)"),
      range("100.64.0.0/10", Kind.NOT_PUBLIC, "a carrier-grade NAT address (RFC 6598)"),
      range("127.0.0.0/8", Kind.LOOPBACK, "a loopback address"),
      range("169.254.0.0/16", Kind.NOT_PUBLIC,
          "a link-local address (incl. the cloud metadata service 169.254.169.254)"),
      range("172.16.0.0/12", Kind.NOT_PUBLIC, "a private address (RFC 1918)"),
      range("192.0.0.0/24", Kind.NOT_PUBLIC, "an IETF protocol assignment (RFC 6890)"),
      range("192.0.2.0/24", Kind.NOT_PUBLIC, "a documentation address (TEST-NET-1)"),
      range("192.88.99.0/24", Kind.NOT_PUBLIC, "a 6to4 relay anycast address"),
      range("192.168.0.0/16", Kind.NOT_PUBLIC, "a private address (RFC 1918)"),
      range("198.18.0.0/15", Kind.NOT_PUBLIC, "a benchmarking address (RFC 2544)"),
      range("198.51.100.0/24", Kind.NOT_PUBLIC, "a documentation address (TEST-NET-2)"),
      range("203.0.113.0/24", Kind.NOT_PUBLIC, "a documentation address (TEST-NET-3)"),
      range("224.0.0.0/4", Kind.NOT_PUBLIC, "a multicast address"),
      range("240.0.0.0/4", Kind.NOT_PUBLIC, "a reserved address (incl. broadcast)"));

  private static final List<Range> V6 = List.of(
      range("::/128", Kind.NOT_PUBLIC, "the unspecified address"),
      range("::1/128", Kind.LOOPBACK, "a loopback address"),
      range("100::/64", Kind.NOT_PUBLIC, "a discard-only address (RFC 6666)"),
      range("64:ff9b:1::/48", Kind.NOT_PUBLIC, "a local-use NAT64 address (RFC 8215)"),
      range("2001::/23", Kind.NOT_PUBLIC,
          "an IETF protocol assignment (incl. Teredo 2001::/32, RFC 6890)"),
      range("2001:db8::/32", Kind.NOT_PUBLIC, "a documentation address"),
      range("fc00::/7", Kind.NOT_PUBLIC, "a unique local (private) address"),
      range("fe80::/10", Kind.NOT_PUBLIC, "a link-local address"),
      range("fec0::/10", Kind.NOT_PUBLIC, "a site-local address (deprecated, private)"),
      range("ff00::/8", Kind.NOT_PUBLIC, "a multicast address"));

  private AddressRanges() {}

  /** The range that makes the address unacceptable, or empty for a public unicast address. */
  public static Optional<Verdict> refused(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet6Address) {
      byte[] embedded = embeddedIpv4(bytes);
      if (embedded != null) {
        try {
          InetAddress v4 = InetAddress.getByAddress(embedded);
          return refused(v4).map(v -> new Verdict(address, new Range(v.range().cidr(),
              v.range().network(), v.range().prefix(), v.range().kind(),
              v.range().description() + " inside an IPv6 address " + v4.getHostAddress())));
        } catch (UnknownHostException e) {
          throw new IllegalStateException(e); // 4 bytes are always an address
        }
      }
      return first(V6, address, bytes);
    }
    if (address instanceof Inet4Address) {
      return first(V4, address, bytes);
    }
    return Optional.empty();
  }

  private static Optional<Verdict> first(List<Range> ranges, InetAddress address, byte[] bytes) {
    for (Range range : ranges) {
      if (range.contains(bytes)) {
        return Optional.of(new Verdict(address, range));
      }
    }
    return Optional.empty();
  }

  /**
   * The IPv4 address an IPv6 address carries, when it is IPv4-mapped (::ffff:0:0/96),
   * IPv4-compatible (::/96, not :: or ::1), NAT64 (64:ff9b::/96) or 6to4 (2002::/16); else null.
   */
  static byte[] embeddedIpv4(byte[] v6) {
    boolean firstTenZero = true;
    for (int i = 0; i < 10; i++) {
      firstTenZero &= v6[i] == 0;
    }
    if (firstTenZero && (v6[10] & 0xff) == 0xff && (v6[11] & 0xff) == 0xff) {
      return slice(v6, 12); // mapped
    }
    if (firstTenZero && v6[10] == 0 && v6[11] == 0) {
      boolean upperZero = v6[12] == 0 && v6[13] == 0 && v6[14] == 0;
      if (upperZero && (v6[15] == 0 || v6[15] == 1)) {
        return null; // :: and ::1 are IPv6's own
      }
      return slice(v6, 12); // compatible (deprecated)
    }
    if ((v6[0] & 0xff) == 0x00 && (v6[1] & 0xff) == 0x64 && (v6[2] & 0xff) == 0xff
        && (v6[3] & 0xff) == 0x9b) {
      boolean zero = true;
      for (int i = 4; i < 12; i++) {
        zero &= v6[i] == 0;
      }
      if (zero) {
        return slice(v6, 12); // NAT64 well-known prefix
      }
    }
    if ((v6[0] & 0xff) == 0x20 && (v6[1] & 0xff) == 0x02) {
      return slice(v6, 2); // 6to4
    }
    return null;
  }

  private static byte[] slice(byte[] bytes, int from) {
    byte[] v4 = new byte[4];
    System.arraycopy(bytes, from, v4, 0, 4);
    return v4;
  }

  private static Range range(String cidr, Kind kind, String description) {
    int slash = cidr.indexOf('/');
    try {
      byte[] network = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
      return new Range(cidr, network, Integer.parseInt(cidr.substring(slash + 1)), kind,
          description);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(cidr, e);
    }
  }
}
