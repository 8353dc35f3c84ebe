package dev.relay.activities.channels.sms;

import dev.relay.activities.channels.SendFailure;
import dev.relay.contracts.DeliveryErrorType;
import dev.relay.guard.sms.SmsDestinations;
import dev.relay.guard.sms.SmsSegments;
import dev.relay.store.recipient.ContactPoint;
import dev.relay.store.sms.SmsAdmission;
import dev.relay.store.sms.SmsGuardRepository;
import dev.relay.store.sms.SmsPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMS-pumping defence inside the existing activities (no workflow step of its own):
 *
 * <ul>
 *   <li>at preparation ({@link #refusal}): the number must be in the tenant's country allowlist
 *       (valid, mobile-capable), and Relay-verified when the tenant demands it; a refusal there
 *       moves the delivery to its next channel or ends it REJECTED, like any identity failure;
 *   <li>before the provider is called ({@link #beforeSend}): the allowlist again (it may have
 *       changed), the segment cap of the rendered text, then the velocity limits counted in
 *       PostgreSQL under the send key. A burst to one prefix pauses the tenant's SMS, logs an
 *       ERROR naming tenant and prefix and counts {@code relay_sms_pauses_total{tenant}};
 *       {@code relay_sms_paused{tenant}} reads 1 while this worker knows the tenant paused.
 * </ul>
 *
 * Every refusal is a permanent, typed failure ({@link DeliveryErrorType}) whose message names no
 * phone number: it goes into workflow history and the audit trail.
 */
public class SmsGuard {
  private static final Logger log = LoggerFactory.getLogger(SmsGuard.class);

  private final SmsGuardRepository repository;
  private final SmsPolicy defaults;
  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> paused = new ConcurrentHashMap<>();

  /** @param registry where pauses are counted; null for none */
  public SmsGuard(SmsGuardRepository repository, SmsPolicy defaults, MeterRegistry registry) {
    this.repository = repository;
    this.defaults = defaults == null ? SmsPolicy.standard() : defaults;
    this.registry = registry;
  }

  /** Why an SMS contact point may not be used (type and reason), or null when it may. */
  public Refusal refusal(String tenantId, ContactPoint point) {
    SmsPolicy policy = repository.policy(tenantId, defaults);
    SmsDestinations.Verdict verdict =
        SmsDestinations.check(point.address(), policy.allowedRegions());
    if (!verdict.allowed()) {
      return new Refusal(DeliveryErrorType.SMS_DESTINATION_REFUSED,
          "the SMS number " + verdict.refusal());
    }
    if (policy.requiresRelayVerification() && !point.relayVerified()) {
      return new Refusal(DeliveryErrorType.CONTACT_NOT_RELAY_VERIFIED, "the SMS number is "
          + (point.verified() ? "only tenant-attested" : "not verified")
          + ", and the tenant requires numbers verified by Relay (smsRequiresRelayVerification)");
    }
    return null;
  }

  /** A refusal: the failure type and a reason without the number. */
  public record Refusal(DeliveryErrorType type, String reason) {}

  /**
   * Checks and counts one send of {@code text} to {@code number}, keyed by the send key (a retry
   * of the same round is not counted twice). Throws when no provider may be called.
   */
  public void beforeSend(String tenantId, String sendKey, String number, String text)
      throws SendFailure {
    SmsPolicy policy = repository.policy(tenantId, defaults);
    SmsDestinations.Verdict verdict = SmsDestinations.check(number, policy.allowedRegions());
    if (!verdict.allowed()) {
      throw SendFailure.beforeProvider(DeliveryErrorType.SMS_DESTINATION_REFUSED,
          "the SMS number " + verdict.refusal());
    }
    SmsSegments.Count segments = SmsSegments.count(text);
    if (segments.segments() > policy.maxSegments()) {
      throw SendFailure.beforeProvider(DeliveryErrorType.SMS_TOO_MANY_SEGMENTS,
          "the rendered SMS is " + segments.segments() + " segments (" + segments.units() + " "
              + segments.encoding() + " units), over the tenant's limit of "
              + policy.maxSegments() + "; shorten the template or raise maxSegments");
    }
    String prefix = SmsDestinations.prefix(number, policy.prefixDigits());
    SmsAdmission admission = repository.admit(tenantId, sendKey, number, prefix, policy);
    switch (admission.verdict()) {
      case ADMITTED -> gauge(tenantId).set(0);
      case RECIPIENT_LIMIT -> throw SendFailure.beforeProvider(
          DeliveryErrorType.SMS_VELOCITY_EXCEEDED, admission.detail());
      case PAUSED -> {
        gauge(tenantId).set(1);
        throw SendFailure.beforeProvider(DeliveryErrorType.SMS_PAUSED, admission.detail()
            + "; an admin lifts it with DELETE /v1/settings/sms/pause, then support retries");
      }
      case BURST -> {
        gauge(tenantId).set(1);
        log.error("SMS PUMPING SUSPECTED: tenant {} SMS paused, prefix {}: {}. See "
            + "docs/runbooks/sms-pumping.md", tenantId, prefix, admission.detail());
        if (registry != null) {
          Counter.builder("relay.sms.pauses")
              .description("Tenants' SMS paused after a burst to one number prefix")
              .tag("tenant", tenantId)
              .register(registry)
              .increment();
        }
        throw SendFailure.beforeProvider(DeliveryErrorType.SMS_PAUSED, "the tenant's SMS was "
            + "paused: " + admission.detail());
      }
      default -> throw new IllegalStateException("unknown admission " + admission.verdict());
    }
  }

  private AtomicInteger gauge(String tenantId) {
    return paused.computeIfAbsent(tenantId, t -> {
      AtomicInteger value = new AtomicInteger();
      if (registry != null) {
        Gauge.builder("relay.sms.paused", value, AtomicInteger::get)
            .description("1 while the tenant's SMS is paused (as this worker last saw it)")
            .tag("tenant", t)
            .register(registry);
      }
      return value;
    });
  }
}
