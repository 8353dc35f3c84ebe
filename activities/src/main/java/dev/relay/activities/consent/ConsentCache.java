package dev.relay.activities.consent;

import dev.relay.contracts.activities.ConsentDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The worker's memory of recent consent decisions, used only while the consent store is
 * unreachable. An entry older than {@code maxAge} is never served, so a withdrawal recorded
 * during an outage can be missed for at most that long — the bound the operator configured.
 */
final class ConsentCache {
  record Entry(ConsentDecision decision, Instant fetchedAt) {}

  private final Duration maxAge;
  private final Map<String, Entry> entries;

  ConsentCache(Duration maxAge, int maxEntries) {
    this.maxAge = maxAge;
    // Access-ordered LRU: the recipients of current traffic stay, the rest fall out.
    this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > maxEntries;
      }
    };
  }

  static String key(String tenant, String recipient, String purpose, String channel) {
    return tenant + '\u001f' + recipient + '\u001f' + purpose + '\u001f' + channel;
  }

  synchronized void put(String key, ConsentDecision decision, Instant fetchedAt) {
    entries.put(key, new Entry(decision, fetchedAt));
  }

  /** A decision fetched no longer than {@code maxAge} before {@code now}. */
  synchronized Optional<Entry> fresh(String key, Instant now) {
    Entry e = entries.get(key);
    if (e == null || Duration.between(e.fetchedAt(), now).compareTo(maxAge) > 0) {
      return Optional.empty();
    }
    return Optional.of(e);
  }

  Duration maxAge() {
    return maxAge;
  }
}
