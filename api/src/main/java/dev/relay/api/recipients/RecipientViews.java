package dev.relay.api.recipients;

import jakarta.annotation.Nullable;
import dev.relay.store.consent.ConsentRecord;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.recipient.Recipient;
import io.swagger.v3.oas.annotations.media.Schema;
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

  /**
   * @param verified the tenant says so (its attestation); see {@code attestation}
   * @param attestation who vouches for the contact point: {@code relay} (Relay verified it with
   *     a code it sent), {@code tenant} (the client sent {@code verified: true}), or null
   */
  public record ContactView(String channel, String address, boolean verified,
      @Nullable String suppressedReason,
      @Schema(nullable = true, allowableValues = {"relay", "tenant"}) String attestation) {
    static ContactView of(ContactPoint c) {
      return new ContactView(c.channel(), c.address(), c.verified(), c.suppressedReason(),
          c.attestation());
    }
  }

  /**
   * One consent version: the state of every channel it holds.
   *
   * @param evidenceErased the evidence was erased with the recipient's data key (it is then
   *     null); the decision itself stays on record
   */
  public record ConsentVersion(int version, Map<String, Boolean> channels, String source,
      @Nullable String evidence, boolean evidenceErased, Instant recordedAt) {

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
            first.evidenceErased(), first.recordedAt()));
      });
      return out;
    }
  }

  /**
   * What {@code DELETE /v1/recipients/{id}/data-key} did.
   *
   * @param keysDestroyed live data keys destroyed by this call (0 when already erased)
   */
  public record Erasure(String recipientId, int keysDestroyed, Instant erasedAt) {}

  /** @param current the newest version, or null when the recipient never gave consent for the purpose */
  public record ConsentState(String recipientId, String purpose, @Nullable ConsentVersion current,
      List<ConsentVersion> history) {}
}
