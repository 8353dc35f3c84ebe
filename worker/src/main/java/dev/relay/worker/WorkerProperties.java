package dev.relay.worker;

import dev.relay.activities.channels.email.EmailChannel;
import dev.relay.activities.config.ActivitiesSettings;
import dev.relay.activities.config.ProviderPolicy;
import dev.relay.activities.config.RoutingSettings;
import dev.relay.activities.config.SmtpSettings;
import dev.relay.activities.config.TwilioSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The worker's configuration ({@code relay.*} in application.yaml). Every knob has a default that
 * works against the local stack.
 *
 * @param smtp the primary email provider, named {@code smtp-primary}
 * @param smtpSecondary the email provider tried when the primary is unavailable, named
 *     {@code smtp-secondary}; none when absent or its host is blank
 * @param twilio the SMS provider, named {@code twilio}
 * @param routing circuit breakers and rate limits, for every provider and by provider name
 * @param unsubscribeBaseUrl the API's public base URL for one-click unsubscribe links in emails
 *     of non-essential purposes (RFC 8058); blank: no links
 * @param smsGuard the SMS-pumping defence's defaults ({@code relay.sms-guard.*}); each tenant's
 *     settings ({@code PUT /v1/settings/sms}) override them
 */
@ConfigurationProperties(prefix = "relay")
public record WorkerProperties(
    @DefaultValue Temporal temporal,
    @DefaultValue Smtp smtp,
    Smtp smtpSecondary,
    @DefaultValue Twilio twilio,
    @DefaultValue Routing routing,
    @DefaultValue("relay.localhost") String messageIdDomain,
    @DefaultValue("") String unsubscribeBaseUrl,
    @DefaultValue SmsGuard smsGuard) {

  /** Refuses, at binding (the worker's start), a relay that would get credentials in clear. */
  public WorkerProperties {
    if (smtp != null) {
      smtp.settings().requireTlsForCredentials(EmailChannel.PRIMARY, "relay.smtp");
    }
    if (smtpSecondary != null && blankToNull(smtpSecondary.host()) != null) {
      smtpSecondary.settings().requireTlsForCredentials(EmailChannel.SECONDARY,
          "relay.smtp-secondary");
    }
  }

  /**
   * @param maxConcurrentActivities activity slots of this worker (sends and database calls)
   * @param maxConcurrentWorkflowTasks workflow-task slots of this worker
   * @param shutdownGrace how long a stopping worker lets running activities finish
   * @param metricsReportInterval how often Temporal's metrics (and the workflow's own, such as
   *     channel substitutions) are handed to Micrometer
   */
  public record Temporal(
      @DefaultValue("localhost:7233") String target,
      @DefaultValue("default") String namespace,
      @DefaultValue("50") int maxConcurrentActivities,
      @DefaultValue("50") int maxConcurrentWorkflowTasks,
      @DefaultValue("10s") Duration shutdownGrace,
      @DefaultValue("10s") Duration metricsReportInterval) {}

  /**
   * One SMTP relay. Credentials require TLS: {@code start-tls} (STARTTLS, then required: a relay
   * that does not offer it is refused before AUTH) or {@code ssl} (SMTPS); otherwise the worker
   * does not start.
   *
   * @param startTls upgrade with STARTTLS and refuse a relay that does not offer it
   * @param ssl implicit TLS (SMTPS, usually port 465)
   * @param caCertFile PEM CA certificate(s) to trust instead of the JVM's trust store (a private
   *     CA or a self-signed relay)
   * @param trustedHosts hosts whose certificate is accepted without checking its chain
   *     ({@code mail.smtp.ssl.trust}); a last resort, never {@code *}
   */
  public record Smtp(
      @DefaultValue("localhost") String host,
      @DefaultValue("1025") int port,
      String username,
      String password,
      @DefaultValue("false") boolean startTls,
      @DefaultValue("false") boolean ssl,
      @DefaultValue("Relay <relay@relay.localhost>") String from,
      @DefaultValue("10s") Duration timeout,
      String caCertFile,
      List<String> trustedHosts) {

    SmtpSettings settings() {
      return new SmtpSettings(host, port, username, password, startTls, ssl, from, timeout,
          new SmtpSettings.Trust(caCertFile, trustedHosts));
    }
  }

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

  /**
   * @param defaults overrides of the built-in policy ({@link ProviderPolicy#defaults()}) for
   *     every provider
   * @param providers overrides for single providers by name (smtp-primary, smtp-secondary,
   *     twilio), applied over {@code defaults}
   */
  public record Routing(@DefaultValue Policy defaults, Map<String, Policy> providers) {

    RoutingSettings settings() {
      ProviderPolicy base = defaults.over(ProviderPolicy.defaults());
      Map<String, ProviderPolicy> byName = new LinkedHashMap<>();
      if (providers != null) {
        providers.forEach((name, policy) -> byName.put(name, policy.over(base)));
      }
      return new RoutingSettings(base, byName);
    }
  }

  /** A partial {@link ProviderPolicy}: what is not set comes from the policy below it. */
  public record Policy(
      Float failureRateThreshold,
      Float slowCallRateThreshold,
      Duration slowCallThreshold,
      Duration slidingWindow,
      Integer minimumCalls,
      Duration waitInOpen,
      Integer halfOpenCalls,
      Integer rateLimit,
      Duration rateLimitPeriod,
      Duration rateLimitTimeout) {

    ProviderPolicy over(ProviderPolicy base) {
      return new ProviderPolicy(
          or(failureRateThreshold, base.failureRateThreshold()),
          or(slowCallRateThreshold, base.slowCallRateThreshold()),
          or(slowCallThreshold, base.slowCallThreshold()),
          or(slidingWindow, base.slidingWindow()),
          or(minimumCalls, base.minimumCalls()),
          or(waitInOpen, base.waitInOpen()),
          or(halfOpenCalls, base.halfOpenCalls()),
          or(rateLimit, base.rateLimit()),
          or(rateLimitPeriod, base.rateLimitPeriod()),
          or(rateLimitTimeout, base.rateLimitTimeout()));
    }

    private static <T> T or(T value, T fallback) {
      return value != null ? value : fallback;
    }
  }

  /**
   * The SMS-pumping defence's defaults. An empty allowlist allows every region (local numbers
   * such as +1555… are not valid per libphonenumber); 0 turns a limit off.
   */
  public record SmsGuard(
      List<String> allowedRegions,
      @DefaultValue("4") int maxSegments,
      @DefaultValue("10") int recipientLimit,
      @DefaultValue("1h") Duration recipientWindow,
      @DefaultValue("1000") int prefixLimit,
      @DefaultValue("10m") Duration prefixWindow,
      @DefaultValue("6") int prefixDigits,
      @DefaultValue("false") boolean requiresRelayVerification) {

    public dev.relay.store.sms.SmsPolicy policy() {
      return new dev.relay.store.sms.SmsPolicy(
          dev.relay.guard.sms.SmsDestinations.normalizeRegions(allowedRegions), maxSegments,
          recipientLimit, recipientWindow, prefixLimit, prefixWindow, prefixDigits,
          requiresRelayVerification);
    }
  }

  public ActivitiesSettings activitiesSettings() {
    SmtpSettings secondary = smtpSecondary == null || blankToNull(smtpSecondary.host()) == null
        ? null
        : smtpSecondary.settings();
    return new ActivitiesSettings(
        smtp.settings(),
        new TwilioSettings(twilio.accountSid(), twilio.authToken(), twilio.fromNumber(),
            blankToNull(twilio.apiBaseUrl()), twilio.statusCallbackBaseUrl(), twilio.timeout()),
        messageIdDomain,
        secondary,
        routing.settings(),
        unsubscribeBaseUrl,
        smsGuard.policy());
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
