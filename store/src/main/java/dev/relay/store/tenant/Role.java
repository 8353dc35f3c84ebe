package dev.relay.store.tenant;

/** What an API key may do: clients deliver, support acts on deliveries, admins do both. */
public enum Role {
  CLIENT,
  SUPPORT,
  ADMIN;

  public String dbValue() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Role fromDb(String value) {
    return valueOf(value.toUpperCase(java.util.Locale.ROOT));
  }
}
