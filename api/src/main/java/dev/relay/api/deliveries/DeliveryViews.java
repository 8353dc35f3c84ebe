package dev.relay.api.deliveries;

import jakarta.annotation.Nullable;
import dev.relay.store.audit.AuditCheckpoint;
import dev.relay.store.audit.AuditRecord;
import dev.relay.store.delivery.DeliveryRecord;
import java.time.Instant;
import java.util.List;

/** The JSON shapes of deliveries. */
public final class DeliveryViews {
  private DeliveryViews() {}

  /** The answer to {@code POST /v1/deliveries}. */
  public record Accepted(String deliveryId, String status) {}

  /** One step of a delivery as recorded in the audit trail. */
  public record TimelineItem(Instant at, String step, String outcome, @Nullable String status,
      @Nullable String detail, String actor, @Nullable String channel) {

    static TimelineItem of(AuditRecord r) {
      return new TimelineItem(r.occurredAt(), r.step(), r.outcome(), r.status(), r.detail(),
          r.actor(), r.channel());
    }
  }

  /**
   * A delivery with its timeline.
   *
   * @param delayed whether it was still not final its delay notice before its deadline (the
   *     audit trail has a {@code delayed} step); stays true after it ends
   */
  public record Delivery(String deliveryId, String status, @Nullable String channel, int attempts,
      @Nullable String reason, String recipientId, String purpose, String templateId, Instant createdAt,
      Instant updatedAt, List<TimelineItem> timeline, boolean delayed) {

    /** Without the delay flag, as before it existed. */
    public Delivery(String deliveryId, String status, String channel, int attempts,
        String reason, String recipientId, String purpose, String templateId, Instant createdAt,
        Instant updatedAt, List<TimelineItem> timeline) {
      this(deliveryId, status, channel, attempts, reason, recipientId, purpose, templateId,
          createdAt, updatedAt, timeline, false);
    }

    static Delivery of(DeliveryRecord d, List<AuditRecord> events) {
      return new Delivery(d.id(), d.status(), d.channel(), d.attempts(), d.reason(),
          d.recipientId(), d.purpose(), d.templateId(), d.createdAt(), d.updatedAt(),
          events.stream().map(TimelineItem::of).toList(),
          events.stream().anyMatch(e -> DELAYED_STEP.equals(e.step())));
    }
  }

  /** The audit step the workflow records when a delivery is late against its deadline. */
  static final String DELAYED_STEP = "delayed";

  public record Summary(String deliveryId, String status, @Nullable String channel, int attempts,
      @Nullable String reason, String recipientId, String purpose, String templateId, Instant createdAt,
      Instant updatedAt) {

    static Summary of(DeliveryRecord d) {
      return new Summary(d.id(), d.status(), d.channel(), d.attempts(), d.reason(),
          d.recipientId(), d.purpose(), d.templateId(), d.createdAt(), d.updatedAt());
    }
  }

  /** A page of deliveries; pass {@code nextCursor} back as {@code cursor} for the next one. */
  public record Page(List<Summary> items, @Nullable String nextCursor) {}

  public record AuditEvent(long chainSeq, @Nullable Long sequence, Instant occurredAt,
      Instant recordedAt, String actor, String step, String outcome, @Nullable String detail,
      @Nullable String status, @Nullable String channel, @Nullable Integer attempts,
      @Nullable Integer consentVersion, @Nullable String provider,
      @Nullable String providerMessageId, String prevHash, String hash, @Nullable String keyId) {

    static AuditEvent of(AuditRecord r) {
      return new AuditEvent(r.chainSeq(), r.sequence(), r.occurredAt(), r.recordedAt(), r.actor(),
          r.step(), r.outcome(), r.detail(), r.status(), r.channel(), r.attempts(),
          r.consentVersion(), r.provider(), r.providerMessageId(), r.prevHash(), r.hash(),
          r.keyId());
    }
  }

  /**
   * @param chainIntact whether every event of this delivery matches its HMAC (content and link
   *     to the previous row of the tenant's chain)
   * @param checkpoint the newest signed checkpoint covering these events (the scheduled verifier
   *     checked the whole chain up to it); null while none covers the newest event yet
   * @param firstBrokenChainSeq the first event that does not verify; null when intact
   */
  public record AuditTrail(String deliveryId, boolean chainIntact, List<AuditEvent> events,
      @Nullable Checkpoint checkpoint, @Nullable Long firstBrokenChainSeq) {}

  /** A signed checkpoint: the tenant's chain verified up to {@code chainSeq} at {@code at}. */
  public record Checkpoint(long chainSeq, String hash, Instant at, String keyId) {
    static Checkpoint of(AuditCheckpoint c) {
      return c == null ? null : new Checkpoint(c.chainSeq(), c.hash(), c.createdAt(), c.keyId());
    }
  }

  /** The answer to a support action: the delivery's state as the workflow reports it. */
  public record ActionResult(String deliveryId, String action, String status,
      @Nullable String channel, int attempts, @Nullable String reason) {}
}
