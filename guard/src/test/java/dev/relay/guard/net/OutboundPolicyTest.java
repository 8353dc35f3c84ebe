package dev.relay.guard.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundPolicyTest {
  /** Names the test controls; anything else does not resolve. */
  private static final HostResolver FAKE_DNS = host -> {
    Map<String, List<String>> zone = Map.of(
        "hooks.example.com", List.of("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
        "localhost", List.of("127.0.0.1", "::1"),
        "mixed.example.com", List.of("93.184.215.14", "10.1.2.3"),
        "metadata.example.com", List.of("169.254.169.254"));
    List<String> ips = zone.get(host);
    if (ips == null) {
      if (OutboundPolicy.literal(host).isPresent()) {
        return List.of(InetAddress.getByName(host));
      }
      throw new UnknownHostException(host);
    }
    return ips.stream().map(OutboundPolicyTest::ip).toList();
  };
  private final OutboundPolicy strict = new OutboundPolicy(FAKE_DNS, false);
  private final OutboundPolicy local = new OutboundPolicy(FAKE_DNS, true);

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.5.4", "172.31.255.255",
      "192.168.1.1", "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.254", "0.0.0.0",
      "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.18.0.1",
      "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1",
      "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1",
      "::7f00:1", "2001:db8::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fec0::1"})
  void everyNonPublicAddressIsRefused(String address) {
    assertThat(AddressRanges.refused(ip(address))).as(address).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "1.1.1.1", "100.63.255.255",
      "100.128.0.1", "172.15.255.255", "172.32.0.1", "169.253.255.255", "11.0.0.1",
      "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "64:ff9b::808:808", "2002:808:808::1",
      "::ffff:8.8.8.8"})
  void publicAddressesAreAllowed(String address) {
    assertThat(AddressRanges.refused(ip(address))).as(address).isEmpty();
  }

  @Test
  void httpIsRefusedUnlessTheLocalFlagIsOn() throws Exception {
    assertThatThrownBy(() -> strict.checkUrl(URI.create("http://hooks.example.com/x")))
        .isInstanceOf(RefusedDestinationException.class)
        .hasMessageContaining("https")
        .hasMessageContaining("relay.webhooks.allow-insecure-local");
    assertThat(local.checkUrl(URI.create("http://hooks.example.com/x"))).isNotNull();
    assertThatThrownBy(() -> local.checkUrl(URI.create("ftp://hooks.example.com/x")))
        .isInstanceOf(RefusedDestinationException.class);
  }

  @Test
  void ipLiteralsAreCheckedWithoutDns() {
    assertThatThrownBy(() -> strict.checkUrl(URI.create("https://169.254.169.254/latest/meta-data")))
        .isInstanceOf(RefusedDestinationException.class)
        .hasMessage("169.254.169.254 is a link-local address (incl. the cloud metadata service "
            + "169.254.169.254) (169.254.0.0/16); Relay sends webhooks only to public internet "
            + "addresses");
    assertThatThrownBy(() -> strict.checkUrl(URI.create("https://[::1]/")))
        .isInstanceOf(RefusedDestinationException.class)
        .hasMessageStartingWith("0:0:0:0:0:0:0:1 is a loopback address (::1/128)");
    assertThatThrownBy(() -> strict.checkUrl(URI.create("https://10.0.0.1/hook")))
        .hasMessageContaining("private address (RFC 1918)");
  }

  @Test
  void aNameIsRefusedWhenAnyOfItsAddressesIs() throws Exception {
    assertThat(strict.vet("hooks.example.com")).hasSize(2);
    assertThatThrownBy(() -> strict.vet("localhost"))
        .isInstanceOf(RefusedDestinationException.class)
        .hasMessageStartingWith("localhost resolves to 127.0.0.1, which is a loopback address");
    assertThatThrownBy(() -> strict.vet("mixed.example.com"))
        .hasMessageStartingWith("mixed.example.com resolves to 10.1.2.3, which is a private");
    assertThatThrownBy(() -> strict.vet("metadata.example.com"))
        .hasMessageContaining("169.254.169.254");
    assertThatThrownBy(() -> strict.vet("nowhere.example.com"))
        .isInstanceOf(UnknownHostException.class);
  }

  @Test
  void theLocalFlagAllowsLoopbackOnly() throws Exception {
    assertThat(local.vet("localhost")).hasSize(2);
    assertThat(local.vet("[::1]")).hasSize(1);
    assertThatThrownBy(() -> local.vet("metadata.example.com"))
        .isInstanceOf(RefusedDestinationException.class);
    assertThatThrownBy(() -> local.checkUrl(URI.create("http://10.0.0.1/")))
        .isInstanceOf(RefusedDestinationException.class);
    assertThatThrownBy(() -> local.checkUrl(URI.create("http://[::ffff:192.168.0.1]/")))
        .isInstanceOf(RefusedDestinationException.class);
  }

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
