package dev.relay.store;

import dev.relay.store.audit.AuditRecord;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.NewAuditEvent;
import dev.relay.store.delivery.SendLedgerRepository;
import dev.relay.store.recipient.SuppressionReason;
import dev.relay.store.recipient.SuppressionRepository;
import dev.relay.store.webhook.OutboxEvent;
import dev.relay.store.webhook.WebhookOutboxRepository;
import java.util.List;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Writes that must commit together: a fact and the bookkeeping that records it (the send
 * ledger's SENT row with its audit event, an audit event with the status notification that
 * reports it). Bookkeeping written in a transaction of its own could be lost, or written twice
 * in different versions, when a worker dies between the two.
 */
public final class UnitOfWork {
  private final Jdbi jdbi;

  public UnitOfWork(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Runs {@code work} in one transaction: all its writes commit, or none does. */
  public <T> T inTransaction(Function<Writes, T> work) {
    return jdbi.inTransaction(h -> work.apply(new Writes(h)));
  }

  /** The writes available inside one transaction. */
  public static final class Writes {
    private final Handle h;

    private Writes(Handle h) {
      this.h = h;
    }

    /**
     * Appends to the tenants' audit chains and moves status projections, as
     * {@link AuditRepository#appendAll} says; returns the stored rows in the given order. Holds
     * the tenant's chain lock until commit, so call it last.
     */
    public List<AuditRecord> appendAudit(List<NewAuditEvent> events) {
      return events.isEmpty() ? List.of() : AuditRepository.appendAll(h, events);
    }

    /** Queues a status event for the tenant's webhook; see {@link WebhookOutboxRepository#enqueue}. */
    public boolean enqueueWebhook(OutboxEvent event) {
      return WebhookOutboxRepository.enqueue(h, event);
    }

    /** Records a server-owned suppression (idempotent); see {@link SuppressionRepository#record}. */
    public boolean suppress(String tenantId, String channel, String address,
        SuppressionReason reason, String detail, String deliveryId) {
      return SuppressionRepository.record(h, tenantId, channel, address, reason, detail,
          deliveryId);
    }

    /** Records the provider's acceptance of the send {@code sendKey}. */
    public void markSent(String sendKey, String provider, String providerMessageId) {
      SendLedgerRepository.markSent(h, sendKey, provider, providerMessageId);
    }

    /**
     * Records under {@code sendKey} a message that was accepted under another key (a round that
     * settled the previous round's in-doubt send), so this round's later tries are answered by
     * the ledger.
     */
    public void settledAs(String sendKey, String tenantId, String deliveryId, String channel,
        int round, String provider, String providerMessageId) {
      SendLedgerRepository.begin(h, sendKey, tenantId, deliveryId, channel, round, provider);
      SendLedgerRepository.markSent(h, sendKey, provider, providerMessageId);
    }
  }
}
