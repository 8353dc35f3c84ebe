package dev.relay.activities.channels.email;

import static dev.relay.activities.channels.FailureTable.Acceptance.MAYBE_ACCEPTED;
import static dev.relay.activities.channels.FailureTable.Acceptance.NOT_ACCEPTED;
import static dev.relay.activities.channels.FailureTable.Decision.FAILOVER;
import static dev.relay.activities.channels.FailureTable.Decision.PERMANENT;
import static dev.relay.activities.channels.FailureTable.Decision.RETRY;
import static dev.relay.activities.channels.FailureTable.causedBy;
import static dev.relay.activities.channels.FailureTable.row;

import dev.relay.activities.channels.FailureTable;
import dev.relay.activities.channels.SendFailure;
import dev.relay.store.recipient.SuppressionReason;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import java.util.List;
import java.util.Set;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/** Every SMTP failure, classified in one table. */
final class SmtpErrors {

  /** How far the SMTP conversation got when it failed. */
  enum Stage {
    /** Connecting, greeting, EHLO, STARTTLS, AUTH: nothing about the message was sent. */
    CONNECT,
    /** MAIL FROM, RCPT TO and the DATA command, up to the relay's 354 go-ahead. */
    ENVELOPE,
    /** The message data went out; the relay may queue it as soon as it sees the final dot. */
    CONTENT
  }

  /**
   * @param stage how far the conversation got
   * @param replyCode the SMTP reply code that ended the conversation, or -1 when there was none
   *     (connection refused, timeout, broken connection)
   */
  record SmtpFault(Stage stage, int replyCode, MessagingException error) {
    boolean reply(int from, int to) {
      return replyCode >= from && replyCode <= to;
    }
  }

  static final FailureTable<SmtpFault> TABLE = FailureTable.of(List.of(
          row("SMTP 5xx reply", f -> f.reply(500, 599), PERMANENT, NOT_ACCEPTED),
          // A 4xx is a refusal at any stage (greeting, MAIL, RCPT, end of data): the relay did
          // not queue the message, so another relay may take it now.
          row("SMTP 4xx reply", f -> f.reply(400, 499), FAILOVER, NOT_ACCEPTED),
          row("address not valid", f -> causedBy(f.error(), AddressException.class),
              PERMANENT, NOT_ACCEPTED),
          row("relay not reachable (refused, timeout, no greeting, TLS)",
              f -> f.stage() == Stage.CONNECT, FAILOVER, NOT_ACCEPTED),
          row("connection lost before the message data",
              f -> f.stage() == Stage.ENVELOPE, FAILOVER, NOT_ACCEPTED)),
      // A timeout or reset after the data went out may come after the relay queued the message.
      "I/O error or timeout after the message data", RETRY, MAYBE_ACCEPTED);

  /** RCPT replies that mean the mailbox does not exist or will never take mail (RFC 5321). */
  static final Set<Integer> HARD_BOUNCE_CODES = Set.of(550, 551, 553, 556);

  private SmtpErrors() {}

  /**
   * @param lastReplyCode the transport's last reply code: the only place a refused greeting or
   *     a failed AUTH leaves its code
   */
  static SendFailure classify(Stage stage, MessagingException error, int lastReplyCode) {
    int code = replyCode(error, lastReplyCode);
    FailureTable.Row<SmtpFault> row = TABLE.classify(new SmtpFault(stage, code, error));
    // Only the reply code and the exception type: server texts echo the recipient's address.
    String message = code > 0
        ? "SMTP relay answered " + code
        : "SMTP send failed: " + error.getClass().getSimpleName();
    SendFailure failure = row.failure(message, error);
    return recipientRefusedForGood(error) ? failure.suppressing(SuppressionReason.HARD_BOUNCE)
        : failure;
  }

  /**
   * A hard bounce: the relay refused this recipient (RCPT TO) with a permanent "no such mailbox"
   * kind of reply. Not any 5xx: a 5xx to MAIL FROM, AUTH or the content says nothing about the
   * recipient's address, and 552 (mailbox full) may clear up.
   */
  static boolean recipientRefusedForGood(MessagingException error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SMTPAddressFailedException a) {
        return HARD_BOUNCE_CODES.contains(a.getReturnCode());
      }
    }
    return false;
  }

  private static int replyCode(MessagingException error, int lastReplyCode) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SMTPAddressFailedException a && a.getReturnCode() > 0) {
        return a.getReturnCode();
      }
      if (t instanceof SMTPSendFailedException s && s.getReturnCode() > 0) {
        return s.getReturnCode();
      }
    }
    return lastReplyCode >= 400 ? lastReplyCode : -1;
  }
}
