package dev.relay.contracts.activities;

/** Which verification's code to text: IDs only, no number, no code. */
public record VerificationSend(String tenantId, String verificationId) {}
