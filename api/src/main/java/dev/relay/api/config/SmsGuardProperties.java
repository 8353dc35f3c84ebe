package dev.relay.api.config;

import dev.relay.guard.sms.SmsDestinations;
import dev.relay.store.sms.SmsPolicy;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code relay.sms-guard.*}: the SMS-pumping defence's defaults, which each tenant's settings
 * ({@code PUT /v1/settings/sms}) override. Give the worker the same values (it applies them at
 * send time; the API at {@code PUT /v1/recipients/{id}} and in {@code GET /v1/settings/sms}).
 *
 * @param allowedRegions ISO 3166 regions SMS may go to; empty: every region, numbers checked only
 *     for their E.164 form (the local +1555… numbers are not valid per libphonenumber)
 * @param maxSegments most segments (GSM-7 153 / UCS-2 67 characters each) one SMS may cost
 * @param recipientLimit SMS per number per {@code recipientWindow}; 0: off
 * @param prefixLimit SMS per number prefix per {@code prefixWindow} before the tenant's SMS is
 *     paused; 0: off
 * @param prefixDigits digits of that prefix, country code included
 * @param requiresRelayVerification refuse SMS to numbers only the tenant attests
 */
@ConfigurationProperties("relay.sms-guard")
public record SmsGuardProperties(
    List<String> allowedRegions,
    @DefaultValue("4") int maxSegments,
    @DefaultValue("10") int recipientLimit,
    @DefaultValue("1h") Duration recipientWindow,
    @DefaultValue("1000") int prefixLimit,
    @DefaultValue("10m") Duration prefixWindow,
    @DefaultValue("6") int prefixDigits,
    @DefaultValue("false") boolean requiresRelayVerification) {

  public SmsPolicy policy() {
    return new SmsPolicy(SmsDestinations.normalizeRegions(allowedRegions), maxSegments,
        recipientLimit, recipientWindow, prefixLimit, prefixWindow, prefixDigits,
        requiresRelayVerification);
  }
}
