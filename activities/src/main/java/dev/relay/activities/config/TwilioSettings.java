package dev.relay.activities.config;

import java.time.Duration;

/**
 * Twilio's Messages API.
 *
 * @param apiBaseUrl null for the real Twilio; a URL such as {@code http://localhost:8089} sends the
 *     SDK's requests (same paths, auth and form bodies) to a local server speaking Twilio's API
 * @param statusCallbackBaseUrl Relay API's public base URL; Twilio posts receipts to
 *     {@code {base}/v1/webhooks/twilio/status?deliveryId=...}
 */
public record TwilioSettings(
    String accountSid,
    String authToken,
    String fromNumber,
    String apiBaseUrl,
    String statusCallbackBaseUrl,
    Duration timeout) {}
