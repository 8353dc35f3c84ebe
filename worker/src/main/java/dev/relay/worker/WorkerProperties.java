package dev.relay.worker;

import dev.relay.activities.config.ActivitiesSettings;
import dev.relay.activities.config.SmtpSettings;
import dev.relay.activities.config.TwilioSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The worker's configuration ({@code relay.*} in application.yaml). Every knob has a default that
 * works against the local stack.
 */
@ConfigurationProperties(prefix = "relay")
public record WorkerProperties(
    @DefaultValue Temporal temporal,
    @DefaultValue Smtp smtp,
    @DefaultValue Twilio twilio,
    @DefaultValue("relay.localhost") String messageIdDomain) {

  /**
   * @param maxConcurrentActivities activity slots of this worker (sends and database calls)
   * @param maxConcurrentWorkflowTasks workflow-task slots of this worker
   * @param shutdownGrace how long a stopping worker lets running activities finish
   */
  public record Temporal(
      @DefaultValue("localhost:7233") String target,
      @DefaultValue("default") String namespace,
      @DefaultValue("50") int maxConcurrentActivities,
      @DefaultValue("50") int maxConcurrentWorkflowTasks,
      @DefaultValue("10s") Duration shutdownGrace) {}

  public record Smtp(
      @DefaultValue("localhost") String host,
      @DefaultValue("1025") int port,
      String username,
      String password,
      @DefaultValue("false") boolean startTls,
      @DefaultValue("Relay <relay@relay.localhost>") String from,
      @DefaultValue("10s") Duration timeout) {}

  /**
   * @param apiBaseUrl empty for the real Twilio; a local URL for a Twilio-speaking test peer
   * @param statusCallbackBaseUrl the API's public base URL, where Twilio posts receipts
   */
  public record Twilio(
      @DefaultValue("AC00000000000000000000000000000000") String accountSid,
      @DefaultValue("local-dev-auth-token") String authToken,
      @DefaultValue("+15005550006") String fromNumber,
      String apiBaseUrl,
      @DefaultValue("http://localhost:8080") String statusCallbackBaseUrl,
      @DefaultValue("10s") Duration timeout) {}

  public ActivitiesSettings activitiesSettings() {
    return new ActivitiesSettings(
        new SmtpSettings(smtp.host(), smtp.port(), blankToNull(smtp.username()),
            blankToNull(smtp.password()), smtp.startTls(), smtp.from(), smtp.timeout()),
        new TwilioSettings(twilio.accountSid(), twilio.authToken(), twilio.fromNumber(),
            blankToNull(twilio.apiBaseUrl()), twilio.statusCallbackBaseUrl(), twilio.timeout()),
        messageIdDomain);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
