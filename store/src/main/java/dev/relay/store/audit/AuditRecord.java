package dev.relay.store.audit;

import java.time.Instant;

/**
 * A stored audit event with its place in the tenant's hash chain.
 *
 * @param keyId the audit key whose HMAC {@code hash} is; null for rows written before keyed
 *     hashing (plain SHA-256), see {@link AuditChain}
 */
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
    String hash,
    String keyId) {}
