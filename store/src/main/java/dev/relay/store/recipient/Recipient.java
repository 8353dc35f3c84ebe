package dev.relay.store.recipient;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

public record Recipient(
    String tenantId,
    String id,
    String displayName,
    boolean active,
    List<ContactPoint> contacts,
    Instant createdAt,
    Instant updatedAt) {

  public Recipient {
    contacts = contacts == null ? List.of() : List.copyOf(contacts);
  }

  public Optional<ContactPoint> contact(String channel) {
    return contacts.stream().filter(c -> c.channel().equals(channel)).findFirst();
  }
}
