package dev.relay.activities.channels.sms;

import static dev.relay.activities.channels.FailureTable.Decision.FAILOVER;
import static dev.relay.activities.channels.FailureTable.Decision.PERMANENT;
import static dev.relay.activities.channels.FailureTable.Decision.RETRY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.exception.RestException;
import com.twilio.exception.TwilioException;
import dev.relay.activities.channels.FailureTable.Decision;
import dev.relay.activities.channels.SendFailure;
import java.io.ByteArrayInputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Twilio failure table, row by row. */
class TwilioErrorsTest {

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of("429 rate limited", answer(429, 20429), FAILOVER, false),
        Arguments.of("503 unavailable", answer(503, 20503), FAILOVER, false),
        Arguments.of("500: may have been created", answer(500, 20500), RETRY, true),
        Arguments.of("502 from a proxy: may have been created", answer(502, null), RETRY, true),
        Arguments.of("21211 invalid number", answer(400, 21211), PERMANENT, false),
        Arguments.of("21610 unsubscribed", answer(400, 21610), PERMANENT, false),
        Arguments.of("21614 not a mobile number", answer(400, 21614), PERMANENT, false),
        Arguments.of("401 bad credentials", answer(401, 20003), PERMANENT, false),
        Arguments.of("connection refused", new ApiConnectionException("refused",
            new ConnectException("Connection refused")), FAILOVER, false),
        Arguments.of("connect timeout", new ApiConnectionException("timeout",
            new ConnectTimeoutException("connect timed out")), FAILOVER, false),
        Arguments.of("read timeout on the POST", new ApiConnectionException("timeout",
            new SocketTimeoutException("Read timed out")), RETRY, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void decides(String what, TwilioException error, Decision decision, boolean maybeAccepted) {
    SendFailure failure = TwilioErrors.classify(error);

    assertThat(failure.decision()).isEqualTo(decision);
    assertThat(failure.maybeAccepted()).isEqualTo(maybeAccepted);
    assertThat(failure.type().retryable()).isEqualTo(decision != PERMANENT);
  }

  private static ApiException answer(int status, Integer code) {
    String json = "{\"status\":" + status + (code == null ? "" : ",\"code\":" + code)
        + ",\"message\":\"The 'To' number +15551234567 is not valid\"}";
    return new ApiException(RestException.fromJson(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), new ObjectMapper()));
  }
}
