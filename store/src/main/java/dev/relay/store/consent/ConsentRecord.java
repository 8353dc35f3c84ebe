package dev.relay.store.consent;

import java.time.Instant;

/**
 * One channel's state in one consent version.
 *
 * @param evidence null when none was given, or when it was erased
 * @param evidenceErased the evidence was sealed with a recipient data key that was destroyed
 */
public record ConsentRecord(
    String recipientId,
    String purpose,
    int version,
    String channel,
    boolean granted,
    String source,
    String evidence,
    Instant recordedAt,
    boolean evidenceErased) {}
