package dev.relay.store.audit;

import java.time.Instant;

/**
 * A signed statement "tenant's chain had row {@code chainSeq} with hash {@code hash} at
 * {@code createdAt}", written by the scheduled verifier after it verified the chain up to there.
 * Anything removed or rewritten at or before {@code chainSeq} later no longer matches it.
 */
public record AuditCheckpoint(String tenantId, long chainSeq, String hash, Instant createdAt,
    String keyId, String signature) {}
