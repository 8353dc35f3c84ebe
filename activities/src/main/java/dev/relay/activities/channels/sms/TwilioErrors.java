package dev.relay.activities.channels.sms;

import static dev.relay.activities.channels.FailureTable.Acceptance.MAYBE_ACCEPTED;
import static dev.relay.activities.channels.FailureTable.Acceptance.NOT_ACCEPTED;
import static dev.relay.activities.channels.FailureTable.Decision.FAILOVER;
import static dev.relay.activities.channels.FailureTable.Decision.PERMANENT;
import static dev.relay.activities.channels.FailureTable.Decision.RETRY;
import static dev.relay.activities.channels.FailureTable.causedBy;
import static dev.relay.activities.channels.FailureTable.row;

import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import dev.relay.activities.channels.FailureTable;
import dev.relay.activities.channels.SendFailure;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import dev.relay.store.recipient.SuppressionReason;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;

/** Every Twilio failure, classified in one table. */
final class TwilioErrors {

  /**
   * Twilio error codes that will not change on retry. Any other 4xx is refused for good too;
   * these are named so the table says what they are.
   */
  static final Set<Integer> PERMANENT_CODES = Set.of(
      21211, // invalid 'To' phone number
      21610, // recipient unsubscribed (replied STOP)
      21614, // 'To' is not a mobile number
      21408, // no permission to send to the region
      21612); // 'To' not reachable from this 'From'

  /** Codes that say the number itself must not be sent to again. */
  static final Map<Integer, SuppressionReason> SUPPRESSING_CODES = Map.of(
      21610, SuppressionReason.STOP,
      21211, SuppressionReason.INVALID_NUMBER,
      21614, SuppressionReason.INVALID_NUMBER);

  /**
   * @param httpStatus the HTTP status of Twilio's answer, null when there was no answer
   * @param twilioCode Twilio's error code from the answer, if any
   */
  record TwilioFault(Integer httpStatus, Integer twilioCode, TwilioException error) {
    boolean status(int from, int to) {
      return httpStatus != null && httpStatus >= from && httpStatus <= to;
    }
  }

  static final FailureTable<TwilioFault> TABLE = FailureTable.of(List.of(
          // Refused before it was processed: another provider may take it now.
          row("HTTP 429, rate limited", f -> f.status(429, 429), FAILOVER, NOT_ACCEPTED),
          row("HTTP 503, service unavailable", f -> f.status(503, 503), FAILOVER, NOT_ACCEPTED),
          // Twilio may have created the message before failing: the next try looks first.
          row("HTTP 5xx", f -> f.status(500, 599), RETRY, MAYBE_ACCEPTED),
          row("permanent Twilio error", f -> f.status(400, 499)
              && f.twilioCode() != null && PERMANENT_CODES.contains(f.twilioCode()),
              PERMANENT, NOT_ACCEPTED),
          row("HTTP 4xx", f -> f.status(400, 499), PERMANENT, NOT_ACCEPTED),
          row("could not connect", f -> causedBy(f.error(), ConnectException.class,
              HttpHostConnectException.class, ConnectTimeoutException.class,
              UnknownHostException.class, NoRouteToHostException.class),
              FAILOVER, NOT_ACCEPTED)),
      // Reset, read timeout or an unreadable answer after the request went out.
      "I/O error or timeout after the request went out", RETRY, MAYBE_ACCEPTED);

  private TwilioErrors() {}

  static SendFailure classify(TwilioException error) {
    Integer status = null;
    Integer code = null;
    if (error instanceof ApiException api) {
      status = api.getStatusCode() != null ? api.getStatusCode() : api.getHttpStatusCode();
      code = api.getCode();
    }
    FailureTable.Row<TwilioFault> row = TABLE.classify(new TwilioFault(status, code, error));
    // Codes only: Twilio's messages echo the phone number.
    String message = status != null
        ? "Twilio answered HTTP " + status + (code != null && code > 0 ? ", error " + code : "")
        : "Twilio request failed: " + rootCauseName(error);
    SendFailure failure = row.failure(message, error);
    SuppressionReason dead = code == null ? null : SUPPRESSING_CODES.get(code);
    return dead == null ? failure : failure.suppressing(dead);
  }

  private static String rootCauseName(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
  }
}
