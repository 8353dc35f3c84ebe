package dev.relay.api.codec;

import dev.relay.store.tenant.ApiKeyPrincipal;

/** Who called the codec server, and how they proved it ("bearer" or "session"). */
public record CodecCaller(ApiKeyPrincipal principal, String via) {}
