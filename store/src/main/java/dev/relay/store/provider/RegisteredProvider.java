package dev.relay.store.provider;

import java.time.Instant;

/** A provider some worker routes over; {@code position} is its place within its channel. */
public record RegisteredProvider(String name, String channel, int position, Instant registeredAt) {}
