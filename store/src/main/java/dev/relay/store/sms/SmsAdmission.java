package dev.relay.store.sms;

/**
 * Whether one SMS may go to a provider now, as counted in PostgreSQL for the tenant.
 *
 * @param verdict ADMITTED (counted), PAUSED (the tenant's SMS was already paused),
 *     BURST (this send crossed the prefix threshold and paused the tenant's SMS) or
 *     RECIPIENT_LIMIT (the number had its limit within the window)
 * @param detail what was counted, for the failure message (no phone number in it)
 * @param pause the pause, for PAUSED and BURST
 */
public record SmsAdmission(Verdict verdict, String detail, SmsPause pause) {
  public enum Verdict { ADMITTED, PAUSED, BURST, RECIPIENT_LIMIT }

  public boolean admitted() {
    return verdict == Verdict.ADMITTED;
  }
}
