package dev.relay.activities.channels.routing;

import dev.relay.activities.channels.ChannelProvider;
import dev.relay.contracts.Channel;
import java.util.ArrayList;
import java.util.List;

/**
 * One channel's providers in routing order, each behind its {@link ProviderGuard}.
 *
 * @param failoverWhileInDoubt whether a send whose earlier try is in doubt at one provider may go
 *     to another: yes for email (every relay sends the same Message-ID, which receivers dedupe
 *     on), no for SMS (only the provider that may have it can look it up)
 */
public record ProviderRoute<C>(Channel channel, List<Candidate<C>> all,
    boolean failoverWhileInDoubt) {

  public record Candidate<C>(ChannelProvider<C> provider, ProviderGuard guard) {
    public String name() {
      return provider.name();
    }
  }

  public ProviderRoute {
    all = List.copyOf(all);
  }

  public boolean isEmpty() {
    return all.isEmpty();
  }

  /** The providers to try, in order, given the provider an earlier try is in doubt at (or null). */
  public List<Candidate<C>> candidates(String inDoubtAt) {
    Candidate<C> doubtful = inDoubtAt == null ? null : all.stream()
        .filter(c -> c.name().equals(inDoubtAt)).findFirst().orElse(null);
    if (doubtful == null) {
      return all; // no doubt, or the provider is no longer configured: nothing to reconcile with
    }
    if (!failoverWhileInDoubt) {
      return List.of(doubtful);
    }
    List<Candidate<C>> ordered = new ArrayList<>(all.size());
    ordered.add(doubtful);
    all.stream().filter(c -> c != doubtful).forEach(ordered::add);
    return ordered;
  }
}
