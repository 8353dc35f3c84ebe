package dev.relay.store.consent;

import java.time.Instant;

/** One channel's state in one consent version. */
public record ConsentRecord(
    String recipientId,
    String purpose,
    int version,
    String channel,
    boolean granted,
    String source,
    String evidence,
    Instant recordedAt) {}
