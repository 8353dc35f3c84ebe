package dev.relay.workflows;

import dev.relay.contracts.Channel;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.contracts.SearchAttributes;
import dev.relay.contracts.activities.AcceptRecord;
import dev.relay.contracts.activities.AuditActivities;
import dev.relay.contracts.activities.AuditBatch;
import dev.relay.contracts.activities.AuditEvent;
import dev.relay.contracts.activities.NotificationActivities;
import dev.relay.contracts.activities.SendResult;
import dev.relay.contracts.activities.StatusEventType;
import dev.relay.contracts.activities.StatusNotification;
import dev.relay.contracts.workflow.DeliveryRequest;
import dev.relay.contracts.workflow.DeliveryView;
import dev.relay.contracts.workflow.TimelineEntry;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;

/**
 * What a delivery knows about itself and how it keeps the record: the status projection (status,
 * channel, attempts, reason), the timeline the status query shows, the audit trail, the client's
 * status events and the search attributes operators filter on.
 *
 * <p>Two ways of keeping the record, fixed when the workflow starts:
 *
 * <ul>
 *   <li><b>lean</b> (every workflow started since {@link DeliveryWorkflowImpl#LEAN_DELIVERIES}):
 *       audit events and status events are buffered and carried by the next activity the
 *       workflow runs anyway ({@link #pending()}), and only a workflow about to wait or end spends
 *       one activity on what is left ({@link #flush()}). Search attributes change only where an
 *       operator's filter changes meaning: at waits and ends;
 *   <li><b>legacy</b> (histories recorded before it): one audit activity per event, one
 *       notification activity per status event, an upsert per change, exactly as those histories
 *       recorded them.
 * </ul>
 */
final class DeliveryJournal {

  static final String RELAY = "relay";
  private static final Logger logger = Workflow.getLogger(DeliveryJournal.class);
  /** The statuses a lean delivery publishes: the ones it waits in, and the ends. */
  private static final Set<DeliveryStatus> PUBLISHED = EnumSet.of(DeliveryStatus.ACCEPTED,
      DeliveryStatus.AWAITING_RECEIPT, DeliveryStatus.NEEDS_ATTENTION, DeliveryStatus.DELIVERED,
      DeliveryStatus.REJECTED, DeliveryStatus.CANCELLED, DeliveryStatus.EXPIRED);

  private final DeliveryRequest request;
  private final String deliveryId;
  private final boolean lean;
  private final boolean notifications;
  private final AuditActivities audit =
      Workflow.newActivityStub(AuditActivities.class, DeliveryActivityOptions.standard());
  private final NotificationActivities notifier = Workflow.newActivityStub(
      NotificationActivities.class, DeliveryActivityOptions.notification());

  private DeliveryStatus status = DeliveryStatus.ACCEPTED;
  private Channel channel;
  private int attempts;
  private String reason;
  private String providerMessageId;
  private boolean delayed;
  private final List<TimelineEntry> timeline = new ArrayList<>();

  private long auditSequence;
  private String publishedStatus;
  private Channel publishedChannel;

  // Lean: decided, not yet written.
  private final List<AuditEvent> unsavedEvents = new ArrayList<>();
  private final List<StatusNotification> unsavedNotifications = new ArrayList<>();

  DeliveryJournal(DeliveryRequest request, String deliveryId, boolean lean, boolean notifications) {
    this.request = request;
    this.deliveryId = deliveryId;
    this.lean = lean;
    this.notifications = notifications;
  }

  boolean lean() {
    return lean;
  }

  // ---------------------------------------------------------------- projection

  DeliveryStatus status() {
    return status;
  }

  Channel channel() {
    return channel;
  }

  void channel(Channel channel) {
    this.channel = channel;
  }

  int attempts() {
    return attempts;
  }

  int nextAttempt() {
    return ++attempts;
  }

  String reason() {
    return reason;
  }

  void reason(String reason) {
    this.reason = reason;
  }

  void sent(SendResult result) {
    providerMessageId = result.providerMessageId();
  }

  void markDelayed() {
    delayed = true;
  }

  /** A line in the timeline only: intermediate receipts are not worth an audit event. */
  void timelineOnly(String step, String detail) {
    timeline.add(new TimelineEntry(now(), status, step, detail));
  }

  DeliveryView view() {
    return new DeliveryView(deliveryId, status, channel, attempts, reason, providerMessageId,
        List.copyOf(timeline), delayed);
  }

  // ---------------------------------------------------------------- recording

  void move(DeliveryStatus next, String step, String outcome, String detail) {
    log(next, RELAY, step, outcome, detail, null, null);
  }

  void note(String step, String outcome, String detail) {
    log(status, RELAY, step, outcome, detail, null, null);
  }

  /**
   * Moves to {@code next} (may equal the current status) and records the event everywhere; reaching
   * NEEDS_ATTENTION or a final status also notifies the client.
   */
  AuditEvent log(DeliveryStatus next, String actor, String step, String outcome, String detail,
      Integer consentVersion, SendResult send) {
    return log(next, actor, step, outcome, detail, consentVersion, send, 0);
  }

  /** As above, under a sequence number reserved earlier ({@code 0}: the next one). */
  AuditEvent log(DeliveryStatus next, String actor, String step, String outcome, String detail,
      Integer consentVersion, SendResult send, long reserved) {
    boolean moved = enter(next, step);
    publishState();
    AuditEvent event = record(actor, step, outcome, detail, status, consentVersion, send, reserved);
    StatusEventType reached = moved ? StatusEventType.reaching(status) : null;
    if (reached != null) {
      notifyStatus(reached, event);
    }
    return event;
  }

  /**
   * Adds one event to the timeline and the audit trail. {@code auditStatus} null records an event
   * that leaves the status projection (status, reason) as it is.
   */
  AuditEvent record(String actor, String step, String outcome, String detail,
      DeliveryStatus auditStatus, Integer consentVersion, SendResult send) {
    return record(actor, step, outcome, detail, auditStatus, consentVersion, send, 0);
  }

  private AuditEvent record(String actor, String step, String outcome, String detail,
      DeliveryStatus auditStatus, Integer consentVersion, SendResult send, long reserved) {
    Instant at = now();
    timeline.add(new TimelineEntry(at, status, step, detail == null ? outcome : outcome + ": " + detail));
    long sequence = reserved > 0 ? reserved : ++auditSequence;
    AuditEvent event = new AuditEvent(request.tenantId(), deliveryId, sequence, at, actor,
        step, outcome, detail, auditStatus, channel, attempts, consentVersion,
        send == null ? null : send.provider(), send == null ? null : send.providerMessageId());
    if (lean) {
      unsavedEvents.add(event);
      return event;
    }
    // Detached: an audit record is never skipped, not even when a cancel or the deadline
    // interrupts the delivery while it is being written.
    try {
      Workflow.newDetachedCancellationScope(() -> audit.recordAudit(event)).run();
    } catch (ActivityFailure e) {
      // Retried without limit, so only a permanent error gets here: keep the delivery open.
      throw new IllegalStateException("audit event " + event.sequence() + " was not recorded", e);
    }
    return event;
  }

  /**
   * Queues a status event for the tenant's webhook, under the event ID of the audit event it
   * reports. Only for workflows that started with notifications.
   */
  void notifyStatus(StatusEventType type, AuditEvent event) {
    if (!notifications) {
      return;
    }
    StatusNotification notification = new StatusNotification(request.tenantId(), deliveryId,
        event.sequence(), type, status, channel, attempts, reason, event.occurredAt());
    if (lean) {
      unsavedNotifications.add(notification);
      return;
    }
    // Detached like the audit: a cancel or the deadline must not swallow the event.
    try {
      Workflow.newDetachedCancellationScope(() -> notifier.notifyStatus(notification)).run();
    } catch (ActivityFailure e) {
      // Retried without limit, so only a permanent error gets here. A lost notification must not
      // hold up the delivery itself; the status stays readable through the API.
      logger.error("status event {} of delivery {} was not queued", notification.eventId(),
          deliveryId, e);
    }
  }

  // ---------------------------------------------------------------- lean bookkeeping

  /** What the next activity carries and writes first. */
  AuditBatch pending() {
    return lean ? new AuditBatch(unsavedEvents, unsavedNotifications) : AuditBatch.EMPTY;
  }

  /** An activity returned after writing {@code batch}: exactly that much is saved. */
  void saved(AuditBatch batch) {
    unsavedEvents.removeAll(batch.events());
    unsavedNotifications.removeAll(batch.notifications());
  }

  /**
   * Reserves the sequence number of the event a send writes itself when the provider takes the
   * message (lean). Reserved, not peeked: a delay notice recorded while the send is in flight must
   * not take the same number. A try that fails uses it for its own failure note instead.
   */
  AcceptRecord reserveAccept(DeliveryStatus next) {
    long sequence = ++auditSequence;
    StatusEventType reached = notifications ? StatusEventType.reaching(next) : null;
    return new AcceptRecord(sequence, next, reached);
  }

  /** Takes in an event a send wrote with its acceptance, as if it had been recorded here. */
  void adopt(AuditEvent written, SendResult send) {
    enter(written.status(), written.step());
    publishState();
    sent(send);
    timeline.add(new TimelineEntry(written.occurredAt(), status, written.step(),
        written.detail() == null ? written.outcome() : written.outcome() + ": " + written.detail()));
  }

  /**
   * Writes what no activity carried, in one activity (lean; nothing to do for legacy). Called
   * before every wait and at the end. Detached: a cancel must not drop the record.
   */
  void flush() {
    if (!lean || (unsavedEvents.isEmpty() && unsavedNotifications.isEmpty())) {
      return;
    }
    AuditBatch batch = pending();
    try {
      Workflow.newDetachedCancellationScope(() -> audit.recordBatch(batch)).run();
    } catch (ActivityFailure e) {
      throw new IllegalStateException("audit events up to " + auditSequence + " were not recorded", e);
    }
    saved(batch);
  }

  // ---------------------------------------------------------------- search attributes

  /**
   * Legacy: the request's attributes, upserted as the workflow's first command. Lean: the API
   * sets them when it starts the workflow, so only a start without them (an older client) costs
   * an upsert.
   */
  void publishRequest() {
    io.temporal.common.SearchAttributes atStart = Workflow.getTypedSearchAttributes();
    if (lean && atStart.containsKey(SearchAttributes.TENANT)) {
      publishedStatus = atStart.get(SearchAttributes.DELIVERY_STATUS);
      String started = atStart.get(SearchAttributes.CHANNEL);
      publishedChannel = started == null ? null : Channel.valueOf(started);
      return;
    }
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    if (request.tenantId() != null) {
      updates.add(SearchAttributes.TENANT.valueSet(request.tenantId()));
    }
    if (request.recipientId() != null) {
      updates.add(SearchAttributes.RECIPIENT_ID.valueSet(request.recipientId()));
    }
    if (request.purpose() != null) {
      updates.add(SearchAttributes.PURPOSE.valueSet(request.purpose()));
    }
    if (lean) {
      publishedStatus = status.name();
      updates.add(SearchAttributes.DELIVERY_STATUS.valueSet(publishedStatus));
    }
    if (!updates.isEmpty()) {
      Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
    }
  }

  /** Keeps DeliveryStatus and Channel current, upserting only what changed. */
  private void publishState() {
    if (lean && !PUBLISHED.contains(status)) {
      return; // a step on the way, not a state an operator filters for
    }
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    if (!status.name().equals(publishedStatus)) {
      publishedStatus = status.name();
      updates.add(SearchAttributes.DELIVERY_STATUS.valueSet(publishedStatus));
    }
    if (channel != null && channel != publishedChannel) {
      publishedChannel = channel;
      updates.add(SearchAttributes.CHANNEL.valueSet(channel.name()));
    }
    if (!updates.isEmpty()) {
      Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
    }
  }

  /** Checks and takes the move; true when the status changed. */
  private boolean enter(DeliveryStatus next, String step) {
    if (next == status) {
      return false;
    }
    if (!DeliveryTransitions.allowed(status, next)) {
      // A bug, not a business outcome: fail the workflow task so the delivery waits for a fix.
      throw new IllegalStateException("illegal move " + status + " -> " + next + " at " + step);
    }
    status = next;
    return true;
  }

  static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
