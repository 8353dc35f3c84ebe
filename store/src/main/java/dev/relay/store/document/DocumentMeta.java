package dev.relay.store.document;

import java.time.Instant;

public record DocumentMeta(
    String tenantId,
    String id,
    String filename,
    String contentType,
    long size,
    String sha256,
    Instant createdAt) {}
