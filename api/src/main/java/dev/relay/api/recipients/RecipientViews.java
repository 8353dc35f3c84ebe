package dev.relay.api.recipients;

import jakarta.annotation.Nullable;
import dev.relay.store.consent.ConsentRecord;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.recipient.Recipient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public final class RecipientViews {
  private RecipientViews() {}

  public record RecipientView(String id, @Nullable String displayName, boolean active,
      List<ContactView> contacts, Instant createdAt, Instant updatedAt) {

    static RecipientView of(Recipient r) {
      return new RecipientView(r.id(), r.displayName(), r.active(),
          r.contacts().stream().map(ContactView::of).toList(), r.createdAt(), r.updatedAt());
    }
  }

  public record ContactView(String channel, String address, boolean verified,
      @Nullable String suppressedReason) {
    static ContactView of(ContactPoint c) {
      return new ContactView(c.channel(), c.address(), c.verified(), c.suppressedReason());
    }
  }

  /** One consent version: the state of every channel it holds. */
  public record ConsentVersion(int version, Map<String, Boolean> channels, String source,
      @Nullable String evidence, Instant recordedAt) {

    /** Groups rows (all channels of one or more versions) into versions, keeping their order. */
    static List<ConsentVersion> of(List<ConsentRecord> rows) {
      Map<Integer, List<ConsentRecord>> byVersion = new LinkedHashMap<>();
      for (ConsentRecord r : rows) {
        byVersion.computeIfAbsent(r.version(), v -> new ArrayList<>()).add(r);
      }
      List<ConsentVersion> out = new ArrayList<>();
      byVersion.forEach((version, records) -> {
        Map<String, Boolean> channels = new TreeMap<>();
        records.forEach(r -> channels.put(r.channel(), r.granted()));
        ConsentRecord first = records.get(0);
        out.add(new ConsentVersion(version, channels, first.source(), first.evidence(),
            first.recordedAt()));
      });
      return out;
    }
  }

  /** @param current the newest version, or null when the recipient never gave consent for the purpose */
  public record ConsentState(String recipientId, String purpose, @Nullable ConsentVersion current,
      List<ConsentVersion> history) {}
}
