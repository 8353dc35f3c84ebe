package dev.relay.contracts.activities;

/**
 * What became of a verification's text.
 *
 * @param outcome SENT (now or by an earlier try), or why nothing was sent: EXPIRED, CLOSED (the
 *     verification was confirmed, locked or superseded meanwhile)
 */
public record CodeDispatch(String verificationId, String outcome) {}
