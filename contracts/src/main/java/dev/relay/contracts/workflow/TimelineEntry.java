package dev.relay.contracts.workflow;

import dev.relay.contracts.DeliveryStatus;
import java.time.Instant;

/** One step of a delivery's life, as the workflow saw it (workflow time). */
public record TimelineEntry(Instant at, DeliveryStatus status, String step, String detail) {}
