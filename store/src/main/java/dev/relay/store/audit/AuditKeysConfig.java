package dev.relay.store.audit;

import org.jdbi.v3.core.config.JdbiConfig;

/**
 * The audit keys a {@link org.jdbi.v3.core.Jdbi} (and every handle it opens) appends and verifies
 * with; set by {@link dev.relay.store.RelayDatabase#jdbi(javax.sql.DataSource, AuditKeys)}.
 */
public final class AuditKeysConfig implements JdbiConfig<AuditKeysConfig> {
  private AuditKeys keys = AuditKeys.localDevelopment();

  public AuditKeysConfig() {}

  private AuditKeysConfig(AuditKeysConfig other) {
    this.keys = other.keys;
  }

  public AuditKeys keys() {
    return keys;
  }

  public AuditKeysConfig setKeys(AuditKeys keys) {
    this.keys = keys;
    return this;
  }

  @Override
  public AuditKeysConfig createCopy() {
    return new AuditKeysConfig(this);
  }
}
