package dev.relay.activities.config;

import dev.relay.store.sms.SmsPolicy;

/**
 * Everything the activities need besides the database.
 *
 * @param smtp the primary email provider, named {@code smtp-primary}
 * @param twilio the SMS provider, named {@code twilio}
 * @param messageIdDomain the right-hand side of generated email Message-IDs (the same for every
 *     relay, so a resend through another relay keeps its Message-ID)
 * @param secondarySmtp the email provider tried when the primary is unavailable, named
 *     {@code smtp-secondary}; null for none
 * @param routing circuit breakers and rate limits per provider
 * @param unsubscribeBaseUrl the public base URL of the API (no trailing slash) that one-click
 *     unsubscribe links of non-essential purposes point at; blank: no such links
 * @param smsGuard the SMS-pumping defence's defaults; each tenant's settings override them
 */
public record ActivitiesSettings(
    SmtpSettings smtp,
    TwilioSettings twilio,
    String messageIdDomain,
    SmtpSettings secondarySmtp,
    RoutingSettings routing,
    String unsubscribeBaseUrl,
    SmsPolicy smsGuard) {

  /** Without unsubscribe links, with the standard SMS guard. */
  public ActivitiesSettings(SmtpSettings smtp, TwilioSettings twilio, String messageIdDomain,
      SmtpSettings secondarySmtp, RoutingSettings routing) {
    this(smtp, twilio, messageIdDomain, secondarySmtp, routing, null, SmsPolicy.standard());
  }

  /** One SMTP relay, Twilio, default routing. */
  public ActivitiesSettings(SmtpSettings smtp, TwilioSettings twilio, String messageIdDomain) {
    this(smtp, twilio, messageIdDomain, null, RoutingSettings.standard());
  }

  public ActivitiesSettings {
    routing = routing == null ? RoutingSettings.standard() : routing;
    unsubscribeBaseUrl = unsubscribeBaseUrl == null || unsubscribeBaseUrl.isBlank() ? null
        : unsubscribeBaseUrl.strip().replaceAll("/+$", "");
    smsGuard = smsGuard == null ? SmsPolicy.standard() : smsGuard;
  }

  public ActivitiesSettings withSecondarySmtp(SmtpSettings secondary) {
    return new ActivitiesSettings(smtp, twilio, messageIdDomain, secondary, routing,
        unsubscribeBaseUrl, smsGuard);
  }

  public ActivitiesSettings withRouting(RoutingSettings newRouting) {
    return new ActivitiesSettings(smtp, twilio, messageIdDomain, secondarySmtp, newRouting,
        unsubscribeBaseUrl, smsGuard);
  }

  public ActivitiesSettings withUnsubscribeBaseUrl(String baseUrl) {
    return new ActivitiesSettings(smtp, twilio, messageIdDomain, secondarySmtp, routing, baseUrl,
        smsGuard);
  }

  public ActivitiesSettings withSmsGuard(SmsPolicy policy) {
    return new ActivitiesSettings(smtp, twilio, messageIdDomain, secondarySmtp, routing,
        unsubscribeBaseUrl, policy);
  }
}
