package dev.relay.store.tenant;

/** What an API key may do: clients deliver, support acts on deliveries, admins do both. */
public enum Role {
  CLIENT,
  SUPPORT,
  ADMIN;

  public String dbValue() {
    return name().toLowerCase();
  }

  public static Role fromDb(String value) {
    return valueOf(value.toUpperCase());
  }
}
