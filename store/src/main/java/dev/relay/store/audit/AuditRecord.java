package dev.relay.store.audit;

import java.time.Instant;

/** A stored audit event with its place in the tenant's hash chain. */
public record AuditRecord(
    long chainSeq,
    String tenantId,
    String deliveryId,
    Long sequence,
    Instant occurredAt,
    Instant recordedAt,
    String actor,
    String step,
    String outcome,
    String detail,
    String status,
    String channel,
    Integer attempts,
    Integer consentVersion,
    String provider,
    String providerMessageId,
    String prevHash,
    String hash) {}
