package dev.relay.guard.prod;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * What a production deployment (Spring profile {@code prod}) must not run with: the credentials
 * and keys that ship with Relay for local use, which are public (they are in the README and in
 * this repository). Each app collects what it sees and fails its start with one message listing
 * every problem and what to change.
 */
public final class ProductionReadiness {
  /** The Spring profile that turns these checks on. */
  public static final String PROFILE = "prod";
  /** Prefix of the demo API keys of {@code ./relay up} and the README. */
  public static final String DEMO_KEY_PREFIX = "relay-demo-";
  /** The database passwords of the local stack and the defaults in application.yaml. */
  public static final List<String> DEFAULT_DB_PASSWORDS = List.of("relay", "relay_app");
  /** The built-in, public audit key ID. */
  public static final String LOCAL_AUDIT_KEY_ID = "local-dev-1";

  private final String app;
  private final List<String> problems = new ArrayList<>();

  public ProductionReadiness(String app) {
    this.app = app;
  }

  /** Bootstrap API keys: none may be a demo key. */
  public ProductionReadiness apiKeys(String property, Collection<String> keys) {
    keys.stream()
        .filter(k -> k != null && k.toLowerCase(Locale.ROOT).startsWith(DEMO_KEY_PREFIX))
        .forEach(k -> problems.add(property + " holds the demo API key '" + k
            + "': remove it and give the tenant a random key of its own"));
    return this;
  }

  /** A database role's password: not the local default (nor blank). */
  public ProductionReadiness databasePassword(String property, String user, String password) {
    if (password == null || password.isBlank()) {
      problems.add(property + " (database user '" + user + "') is blank: set the role's password");
    } else if (DEFAULT_DB_PASSWORDS.contains(password)) {
      problems.add(property + " (database user '" + user + "') is the local default '" + password
          + "': set a strong password for the role and give it here");
    }
    return this;
  }

  /**
   * The audit key new rows are signed with: not the built-in local key (by ID or by secret). Older
   * keys kept only to verify old rows are not judged.
   */
  public ProductionReadiness auditKeys(String currentKeyId, boolean currentSecretIsTheLocalOne) {
    if (LOCAL_AUDIT_KEY_ID.equals(currentKeyId) || currentSecretIsTheLocalOne) {
      problems.add("relay.audit uses the built-in audit key '" + LOCAL_AUDIT_KEY_ID
          + "', which is public: set relay.audit.key-file to a file of your own keys "
          + "(current=<id>, key.<id>=<base64 of 32 random bytes>; docs/runbooks/audit-key-rotation.md)");
    }
    return this;
  }

  /** The payload keyring: configured. */
  public ProductionReadiness payloadKeyring(boolean configured) {
    if (!configured) {
      problems.add("no payload keyring (relay.codec.key-file / relay.codec.keys): workflow payloads "
          + "would reach Temporal in clear; configure one and set relay.codec.required=true "
          + "(docs/runbooks/payload-keys.md)");
    }
    return this;
  }

  /** The local-development webhook flag: off. */
  public ProductionReadiness insecureLocalWebhooks(boolean allowed) {
    if (allowed) {
      problems.add("relay.webhooks.allow-insecure-local is true: it lets status webhooks use "
          + "plain http and loopback addresses; remove it (local development only)");
    }
    return this;
  }

  public List<String> problems() {
    return List.copyOf(problems);
  }

  /** Throws one exception naming every problem, if there is any. */
  public void enforce() {
    if (!problems.isEmpty()) {
      throw new ProductionMisconfiguredException(message());
    }
  }

  String message() {
    StringBuilder b = new StringBuilder("Relay ").append(app).append(" refuses to start with the '")
        .append(PROFILE).append("' profile: it is configured with local-development defaults that "
            + "are public. Change:");
    for (String problem : problems) {
      b.append("\n  - ").append(problem);
    }
    return b.toString();
  }

  /** The start failure. */
  public static final class ProductionMisconfiguredException extends IllegalStateException {
    public ProductionMisconfiguredException(String message) {
      super(message);
    }
  }
}
