package dev.relay.activities.channels.routing;

import dev.relay.contracts.Channel;
import java.time.Instant;

/** Where the routing reports its providers and their breaker transitions. */
public interface ProviderEvents {

  /** Reports nothing (no database at hand). */
  ProviderEvents NONE = new ProviderEvents() {
    @Override
    public void registered(String provider, Channel channel, int position) {}

    @Override
    public void transitioned(String provider, Channel channel, String from, String to,
        Instant at, String detail) {}
  };

  /** A provider the routing will use, with its place in its channel's order. */
  void registered(String provider, Channel channel, int position);

  /** A breaker changed state at {@code at}. Must not block or throw: it runs on a send's thread. */
  void transitioned(String provider, Channel channel, String from, String to, Instant at,
      String detail);
}
