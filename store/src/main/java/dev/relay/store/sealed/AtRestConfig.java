package dev.relay.store.sealed;

import org.jdbi.v3.core.config.JdbiConfig;

/**
 * The {@link AtRest} a {@link org.jdbi.v3.core.Jdbi} (and every handle it opens) seals and opens
 * with; set by {@code RelayDatabase.jdbi(...)}. Defaults to the public development KEK, so tests
 * and tools that build their own Jdbi still seal.
 */
public final class AtRestConfig implements JdbiConfig<AtRestConfig> {
  private static final AtRest LOCAL = new AtRest(KekRing.localDevelopment());

  private AtRest atRest = LOCAL;

  public AtRestConfig() {}

  private AtRestConfig(AtRestConfig other) {
    this.atRest = other.atRest;
  }

  public AtRest atRest() {
    return atRest;
  }

  public AtRestConfig setAtRest(AtRest atRest) {
    this.atRest = atRest;
    return this;
  }

  @Override
  public AtRestConfig createCopy() {
    return new AtRestConfig(this);
  }
}
