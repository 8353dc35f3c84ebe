package dev.relay.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.systemtests.stack.ManagedProcess;
import dev.relay.systemtests.stack.SmtpServer;
import jakarta.mail.internet.MimeMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Each message sent exactly once", as a recipient sees it.
 *
 * <p>Email: exactly one Message-ID reached each recipient. SMTP has no idempotency: a worker
 * killed after the relay took the DATA but before the send ledger recorded it cannot know whether
 * the mail went out. The email channel then resends with the same, deterministic Message-ID and
 * logs {@code resending via <relay> as <id> (possible duplicate ...)}, relying on receivers to
 * drop the copy (activities' SmtpProvider). GreenMail does not dedupe, so such a resend shows as a second
 * message with the same Message-ID. That is tolerated only where the worker logged that very
 * resend; a second Message-ID, or a copy the worker did not flag, fails the test.
 */
final class ExactlyOnce {
  private static final Logger log = LoggerFactory.getLogger(ExactlyOnce.class);

  private ExactlyOnce() {}

  /** Asserts one Message-ID per address; returns how many flagged same-ID resends were seen. */
  static int assertOneMailEach(SmtpServer smtp, ManagedProcess worker, List<String> addresses) {
    return assertOneMailEach(smtp, List.of(worker), addresses);
  }

  /**
   * As above with several workers: a resend is tolerated where any of them flagged it (the worker
   * that finishes an in-doubt send is often not the one that started it).
   */
  static int assertOneMailEach(SmtpServer smtp, List<ManagedProcess> workers,
      List<String> addresses) {
    Map<String, List<String>> idsByAddress = new LinkedHashMap<>();
    for (String address : addresses) {
      List<MimeMessage> mails = smtp.messagesTo(address);
      idsByAddress.put(address, mails.stream().map(SmtpServer::messageId).toList());
    }
    Map<String, List<String>> notOne = idsByAddress.entrySet().stream()
        .filter(e -> Set.copyOf(e.getValue()).size() != 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    assertThat(notOne)
        .as("addresses without exactly one distinct Message-ID (address → Message-IDs received)")
        .isEmpty();

    Map<String, List<String>> copies = idsByAddress.entrySet().stream()
        .filter(e -> e.getValue().size() > 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    Map<String, List<String>> unflagged = copies.entrySet().stream()
        .filter(e -> workers.stream().noneMatch(w -> flaggedResend(w, e.getValue().get(0))))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    assertThat(unflagged)
        .as("second copies no worker flagged as an in-doubt resend (see %s)",
            workers.stream().map(ManagedProcess::logFile).toList())
        .isEmpty();
    int resends = copies.values().stream().mapToInt(ids -> ids.size() - 1).sum();
    if (resends > 0) {
      log.warn("{} same-Message-ID resend(s) of in-doubt sends after a crash (receivers dedupe on "
          + "Message-ID; GreenMail does not): {}", resends, copies.keySet());
    }
    return resends;
  }

  /**
   * Whether the worker logged an in-doubt resend of {@code messageId}: SmtpProvider's {@code
   * "... resending via <relay> as <Message-ID> (possible duplicate ..."}.
   */
  static boolean flaggedResend(ManagedProcess worker, String messageId) {
    return worker.logLinesContaining(" as " + messageId).stream()
        .anyMatch(line -> line.contains("resending") && line.contains("possible duplicate"));
  }
}
