package dev.relay.store.provider;

import java.time.Instant;

/**
 * One circuit-breaker state transition of a provider.
 *
 * @param fromState the breaker state before, a resilience4j state name (CLOSED, OPEN, ...)
 * @param toState the breaker state after
 * @param occurredAt when the breaker changed state (not when the row was written)
 * @param detail what the breaker saw (failure and slow-call rates, the worker), never addresses
 */
public record ProviderEvent(
    long id,
    String provider,
    String channel,
    String fromState,
    String toState,
    Instant occurredAt,
    String detail) {}
