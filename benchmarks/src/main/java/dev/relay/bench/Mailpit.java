package dev.relay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mailpit's API as the completion criterion of every arm: a delivery counts when its message is
 * in Mailpit, at Mailpit's {@code Created} time (when its SMTP server took the message). Each phase
 * sends to its own domain ({@code TAG.RUN.bench.test}) and every subject ends in {@code #TAG-i},
 * so messages are found per phase and counted per delivery (which also shows duplicates).
 */
final class Mailpit {
  private final Http http;
  private final URI base;

  Mailpit(Http http, URI base) {
    this.http = http;
    this.base = base;
  }

  static String domain(String run, String tag) {
    return tag + "." + run + ".bench.test";
  }

  static String key(String tag, int i) {
    return tag + "-" + i;
  }

  /**
   * Empties the catcher before a phase. Mailpit's search scans every stored message, so without
   * this each phase (and each run) would count against a bigger store than the one before: the
   * later arm would pay for the earlier one's mail. Earlier phases are already counted.
   */
  void clear() throws Exception {
    Http.expect(200, http.delete(base.resolve("/api/v1/messages")), "DELETE /api/v1/messages");
  }

  /** Messages to the phase's domain. */
  long count(String domain) throws Exception {
    return search(domain, 0, 1).path("messages_count").asLong();
  }

  /** Every message to the domain whose subject ends in {@code #TAG-i}: i → Created times. */
  Map<Integer, List<Instant>> arrivals(String domain, String tag) throws Exception {
    Map<Integer, List<Instant>> arrivals = new ConcurrentHashMap<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    int pageSize = 500;
    // Bounded: the phase's messages, plus one page for any that arrive while paging.
    long pages = count(domain) / pageSize + 2;
    for (int start = 0, page = 0; page < pages; start += pageSize, page++) {
      JsonNode messages = search(domain, start, pageSize).path("messages");
      for (JsonNode m : messages) {
        int i = index(m.path("Subject").asText(), tag);
        // Newest first: a message arriving while we page shifts the pages, so one can be seen twice.
        if (i >= 0 && seen.add(m.path("ID").asText())) {
          arrivals.computeIfAbsent(i, k -> new ArrayList<>()).add(Instant.parse(m.path("Created").asText()));
        }
      }
      if (messages.size() < pageSize) {
        break;
      }
    }
    return arrivals;
  }

  /** The i of a subject ending in {@code #TAG-i}, or -1. */
  static int index(String subject, String tag) {
    int hash = subject.lastIndexOf('#');
    String prefix = tag + "-";
    if (hash < 0 || !subject.startsWith(prefix, hash + 1)) {
      return -1;
    }
    try {
      return Integer.parseInt(subject.substring(hash + 1 + prefix.length()).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private JsonNode search(String domain, int start, int limit) throws Exception {
    String query = URLEncoder.encode("to:@" + domain, StandardCharsets.UTF_8);
    return http.getJson(base.resolve("/api/v1/search?query=" + query + "&start=" + start + "&limit=" + limit));
  }
}
