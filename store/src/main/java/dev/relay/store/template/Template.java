package dev.relay.store.template;

import java.time.Instant;

/**
 * A message template (Mustache). Email uses subject + html/text bodies, SMS uses the SMS body.
 * The version goes up on every change so a rendered payload can say what it was made from.
 */
public record Template(
    String tenantId,
    String id,
    int version,
    String subject,
    String htmlBody,
    String textBody,
    String smsBody,
    Instant updatedAt) {}
