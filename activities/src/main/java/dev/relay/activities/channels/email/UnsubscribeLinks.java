package dev.relay.activities.channels.email;

import dev.relay.contracts.activities.SendRequest;
import dev.relay.store.consent.PurposeRepository;
import dev.relay.store.consent.PurposeRepository.UnsubscribeTarget;
import dev.relay.store.consent.UnsubscribeTokens;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The one-click unsubscribe link (RFC 8058) of a delivery's email: present only when the
 * tenant marked the delivery's purpose non-essential and a public API base URL is configured.
 *
 * <p>Whether a purpose is essential is remembered per worker for {@link #SETTING_TTL}, so a
 * burst of sends does not read PostgreSQL once per try. The staleness is acceptable: a purpose
 * newly marked non-essential gets links on emails sent at most 30 s later, and one marked
 * essential again loses them as late; a link in the meantime still works (the API checks its
 * signature, not the current setting) and only withdraws the recipient's own consent.
 */
public final class UnsubscribeLinks {
  /** The path the API serves the links under. */
  public static final String PATH = "/v1/unsubscribe/";
  /** How long a purpose's setting is reused before it is read again. */
  static final Duration SETTING_TTL = Duration.ofSeconds(30);
  /** Bound of the remembered settings; past it the map starts over (cheap, and rare). */
  static final int MAX_SETTINGS = 10_000;

  private record Setting(boolean essential, long readAtNanos) {}

  private final PurposeRepository purposes;
  private final UnsubscribeTokens tokens;
  private final String baseUrl;
  private final LongSupplier nanoTime;
  private final Map<String, Setting> settings = new ConcurrentHashMap<>();

  /** @param baseUrl the API's public base URL; null for no links */
  public UnsubscribeLinks(PurposeRepository purposes, UnsubscribeTokens tokens, String baseUrl) {
    this(purposes, tokens, baseUrl, System::nanoTime);
  }

  UnsubscribeLinks(PurposeRepository purposes, UnsubscribeTokens tokens, String baseUrl,
      LongSupplier nanoTime) {
    this.purposes = purposes;
    this.tokens = tokens;
    this.baseUrl = baseUrl;
    this.nanoTime = nanoTime;
  }

  public static UnsubscribeLinks none() {
    return new UnsubscribeLinks(null, null, null);
  }

  /** The link for this try's email, or null. */
  public String linkFor(SendRequest request) {
    if (baseUrl == null) {
      return null;
    }
    return target(request).map(target -> baseUrl + PATH + tokens.issue(target)).orElse(null);
  }

  private Optional<UnsubscribeTarget> target(SendRequest r) {
    if (r.recipientId() == null || r.purpose() == null) {
      // A try recorded before the request carried them: read them with the delivery.
      return purposes.unsubscribeTarget(r.tenantId(), r.deliveryId());
    }
    return essential(r.tenantId(), r.purpose()) ? Optional.empty()
        : Optional.of(new UnsubscribeTarget(r.tenantId(), r.recipientId(), r.purpose()));
  }

  private boolean essential(String tenantId, String purpose) {
    String key = tenantId + '\u001f' + purpose;
    long now = nanoTime.getAsLong();
    Setting cached = settings.get(key);
    if (cached != null && now - cached.readAtNanos() < SETTING_TTL.toNanos()) {
      return cached.essential();
    }
    boolean essential = purposes.essential(tenantId, purpose);
    if (settings.size() >= MAX_SETTINGS) {
      settings.clear();
    }
    settings.put(key, new Setting(essential, now));
    return essential;
  }
}
