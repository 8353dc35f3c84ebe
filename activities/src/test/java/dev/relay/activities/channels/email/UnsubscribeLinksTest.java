package dev.relay.activities.channels.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.contracts.Channel;
import dev.relay.contracts.activities.SendRequest;
import dev.relay.store.audit.AuditKeys;
import dev.relay.store.consent.PurposeRepository;
import dev.relay.store.consent.UnsubscribeTokens;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UnsubscribeLinksTest {
  private static final String K1 = Base64.getEncoder().encodeToString(new byte[32]);

  /** Counts the reads; "news" is non-essential, everything else essential. */
  static final class Purposes extends PurposeRepository {
    final List<String> reads = new ArrayList<>();

    Purposes() {
      super(null);
    }

    @Override
    public boolean essential(String tenantId, String purpose) {
      reads.add(tenantId + "/" + purpose);
      return !purpose.equals("news");
    }

    @Override
    public Optional<UnsubscribeTarget> unsubscribeTarget(String tenantId, String deliveryId) {
      reads.add("delivery " + deliveryId);
      return Optional.of(new UnsubscribeTarget(tenantId, "bob", "news"));
    }
  }

  private final Purposes purposes = new Purposes();
  private final AtomicLong nanos = new AtomicLong();
  private final UnsubscribeTokens tokens =
      new UnsubscribeTokens(AuditKeys.of(Map.of("a", K1), "a"));
  private final UnsubscribeLinks links =
      new UnsubscribeLinks(purposes, tokens, "https://relay.example", nanos::get);

  private static SendRequest send(String delivery, String recipient, String purpose) {
    return new SendRequest("acme", delivery, Channel.EMAIL, "k", 1, 1, "a@example.org", null,
        null, null, recipient, purpose);
  }

  @Test
  void aBurstOfSendsReadsThePurposeOnceAndAgainAfterThirtySeconds() {
    String link = links.linkFor(send("d1", "alice", "news"));
    assertThat(link).startsWith("https://relay.example" + UnsubscribeLinks.PATH);
    assertThat(tokens.verify(link.substring(link.lastIndexOf('/') + 1)))
        .contains(new PurposeRepository.UnsubscribeTarget("acme", "alice", "news"));
    for (int i = 2; i < 50; i++) {
      assertThat(links.linkFor(send("d" + i, "alice", "news"))).isNotNull();
      assertThat(links.linkFor(send("d" + i, "alice", "billing"))).isNull();
    }
    assertThat(purposes.reads).containsExactly("acme/news", "acme/billing");

    nanos.addAndGet(UnsubscribeLinks.SETTING_TTL.toNanos());
    links.linkFor(send("d99", "alice", "news"));
    assertThat(purposes.reads).containsExactly("acme/news", "acme/billing", "acme/news");
  }

  @Test
  void aTryRecordedWithoutRecipientAndPurposeReadsThemWithTheDelivery() {
    assertThat(links.linkFor(send("d1", null, null))).isNotNull();
    assertThat(purposes.reads).containsExactly("delivery d1");
    assertThat(UnsubscribeLinks.none().linkFor(send("d1", "alice", "news"))).isNull();
  }
}
