package dev.relay.activities.config;

/**
 * Everything the activities need besides the database.
 *
 * @param messageIdDomain the right-hand side of generated email Message-IDs
 */
public record ActivitiesSettings(SmtpSettings smtp, TwilioSettings twilio, String messageIdDomain) {}
