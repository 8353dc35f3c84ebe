package dev.relay.activities.channels.email;

import static dev.relay.activities.channels.FailureTable.Acceptance.MAYBE_ACCEPTED;
import static dev.relay.activities.channels.FailureTable.Acceptance.NOT_ACCEPTED;
import static dev.relay.activities.channels.FailureTable.causedBy;
import static dev.relay.activities.channels.FailureTable.row;
import static dev.relay.contracts.DeliveryErrorType.PROVIDER_REJECTED;
import static dev.relay.contracts.DeliveryErrorType.PROVIDER_UNAVAILABLE;

import dev.relay.activities.channels.FailureTable;
import dev.relay.activities.channels.SendFailure;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailConnectException;

/** Every SMTP failure, classified in one table. */
final class SmtpErrors {

  /**
   * @param replyCode the SMTP reply code that ended the conversation, or -1 when there was none
   *     (connection refused, timeout, broken connection)
   */
  record SmtpFault(int replyCode, MessagingException error) {}

  static final FailureTable<SmtpFault> TABLE = FailureTable.of(List.of(
          row("SMTP 5xx reply", f -> f.replyCode() >= 500 && f.replyCode() < 600,
              PROVIDER_REJECTED, NOT_ACCEPTED),
          row("SMTP 4xx reply", f -> f.replyCode() >= 400 && f.replyCode() < 500,
              PROVIDER_UNAVAILABLE, NOT_ACCEPTED),
          row("address not valid", f -> causedBy(f.error(), AddressException.class),
              PROVIDER_REJECTED, NOT_ACCEPTED),
          row("could not connect", f -> causedBy(f.error(), MailConnectException.class,
              ConnectException.class, UnknownHostException.class),
              PROVIDER_UNAVAILABLE, NOT_ACCEPTED)),
      // A timeout or reset after DATA may come after the relay queued the message.
      "I/O error or timeout during the SMTP conversation", PROVIDER_UNAVAILABLE, MAYBE_ACCEPTED);

  private SmtpErrors() {}

  /**
   * @param lastReplyCode the transport's last reply code: the only place a refused greeting or
   *     a failed AUTH leaves its code
   */
  static SendFailure classify(MessagingException error, int lastReplyCode) {
    int code = replyCode(error, lastReplyCode);
    FailureTable.Row<SmtpFault> row = TABLE.classify(new SmtpFault(code, error));
    // Only the reply code and the exception type: server texts echo the recipient's address.
    String message = code > 0
        ? "SMTP relay answered " + code
        : "SMTP send failed: " + error.getClass().getSimpleName();
    return row.failure(message, error);
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
