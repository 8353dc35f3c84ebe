package dev.relay.store.sms;

import java.time.Instant;

/** A tenant's SMS paused after a suspicious burst to one prefix; lifted only by an admin. */
public record SmsPause(String tenantId, Instant pausedAt, String prefix, String reason) {}
