package dev.relay.contracts.activities;

import dev.relay.contracts.DeliveryStatus;

/**
 * What a send records right after the send ledger says SENT, when a provider takes the message:
 * the audit event "send accepted" under {@code sequence}, moving the delivery to {@code status}
 * (DELIVERED for email, AWAITING_RECEIPT for SMS), and the status notification {@code notification}
 * when reaching that status is something the client hears about (else null). The workflow
 * reserves the sequence, so the event is idempotent on (delivery ID, sequence) like any other.
 */
public record AcceptRecord(long sequence, DeliveryStatus status, StatusEventType notification) {}
