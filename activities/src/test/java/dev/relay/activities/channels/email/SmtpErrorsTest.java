package dev.relay.activities.channels.email;

import static dev.relay.activities.channels.FailureTable.Decision.FAILOVER;
import static dev.relay.activities.channels.FailureTable.Decision.PERMANENT;
import static dev.relay.activities.channels.FailureTable.Decision.RETRY;
import static dev.relay.activities.channels.email.SmtpErrors.Stage.CONNECT;
import static dev.relay.activities.channels.email.SmtpErrors.Stage.CONTENT;
import static dev.relay.activities.channels.email.SmtpErrors.Stage.ENVELOPE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.activities.channels.FailureTable.Decision;
import dev.relay.activities.channels.SendFailure;
import dev.relay.activities.channels.email.SmtpErrors.Stage;
import dev.relay.contracts.DeliveryErrorType;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.stream.Stream;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.util.MailConnectException;
import org.eclipse.angus.mail.util.SocketConnectException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The SMTP failure table, row by row: what each failure does next and whether it is in doubt. */
class SmtpErrorsTest {

  static Stream<Arguments> failures() throws Exception {
    return Stream.of(
        // stage, last reply code, error -> decision, maybe accepted
        Arguments.of("refused connection", CONNECT, -1, new MailConnectException(
            new SocketConnectException("refused", new ConnectException(), "localhost", 25, 0)),
            FAILOVER, false),
        Arguments.of("no greeting within the timeout", CONNECT, -1,
            new MessagingException("Exception reading response", new SocketTimeoutException()),
            FAILOVER, false),
        Arguments.of("421 greeting", CONNECT, 421,
            new MessagingException("Could not connect"), FAILOVER, false),
        Arguments.of("554 greeting stays permanent", CONNECT, 554,
            new MessagingException("Could not connect"), PERMANENT, false),
        Arguments.of("451 to MAIL FROM", ENVELOPE, 451,
            new MessagingException("451 try later"), FAILOVER, false),
        Arguments.of("reset before the data", ENVELOPE, -1,
            new MessagingException("I/O", new SocketException("Connection reset")),
            FAILOVER, false),
        Arguments.of("550 to RCPT TO", ENVELOPE, 250, new SendFailedException("Invalid Addresses",
            new SMTPAddressFailedException(new InternetAddress("a@example.com"), "RCPT TO",
                550, "no such user")), PERMANENT, false),
        Arguments.of("452 after the data: refused, not queued", CONTENT, 452,
            new MessagingException("452 storage"), FAILOVER, false),
        Arguments.of("554 after the data", CONTENT, 554,
            new MessagingException("554 refused"), PERMANENT, false),
        Arguments.of("timeout waiting for the end-of-data reply", CONTENT, -1,
            new MessagingException("Exception reading response", new SocketTimeoutException()),
            RETRY, true),
        Arguments.of("reset after the data", CONTENT, 354,
            new MessagingException("I/O", new SocketException("Connection reset")), RETRY, true),
        Arguments.of("address that does not parse", CONNECT, -1,
            new AddressException("Illegal address"), PERMANENT, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void decides(String what, Stage stage, int lastReply, MessagingException error,
      Decision decision, boolean maybeAccepted) {
    SendFailure failure = SmtpErrors.classify(stage, error, lastReply);

    assertThat(failure.decision()).isEqualTo(decision);
    assertThat(failure.maybeAccepted()).isEqualTo(maybeAccepted);
    assertThat(failure.type()).isEqualTo(decision == PERMANENT
        ? DeliveryErrorType.PROVIDER_REJECTED : DeliveryErrorType.PROVIDER_UNAVAILABLE);
    assertThat(failure.getMessage()).doesNotContain("a@example.com");
  }
}
