package dev.relay.store.recipient;

/** Why the server stopped sends to a contact point. */
public enum SuppressionReason {
  /** The mail relay refused the mailbox for good (SMTP 550/551/553/556 to RCPT TO). */
  HARD_BOUNCE,
  /** The recipient replied STOP (Twilio 21610). */
  STOP,
  /** The number cannot take SMS (Twilio 21211, 21614). */
  INVALID_NUMBER,
  /** The recipient reported the mail as spam. */
  COMPLAINT
}
