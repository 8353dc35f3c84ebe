package dev.relay.store.verification;

import java.time.Instant;

/**
 * One attempt to verify a contact point with a code Relay sends. The code itself is never kept:
 * {@code codeHash} is its HMAC ({@link VerificationCodes}).
 *
 * @param state see {@link State}
 * @param attempts wrong codes given so far
 * @param failure why the code was not sent (FAILED, UNSENT), in Relay's words, no number
 */
public record ContactVerification(String id, String tenantId, String recipientId, String channel,
    String address, State state, String codeHash, String codeKeyId, int attempts, String failure,
    Instant createdAt, Instant expiresAt, Instant sentAt, Instant confirmedAt) {

  public enum State { PENDING, SENDING, SENT, CONFIRMED, LOCKED, SUPERSEDED, FAILED, UNSENT }

  public boolean expired(Instant now) {
    return !now.isBefore(expiresAt);
  }
}
