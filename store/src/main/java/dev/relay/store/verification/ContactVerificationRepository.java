package dev.relay.store.verification;

import dev.relay.store.audit.AuditRepository;
import dev.relay.store.audit.NewAuditEvent;
import dev.relay.store.verification.ContactVerification.State;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Contact verifications: started by the API, their code drawn and texted by the worker, confirmed
 * by the API. Every start and every confirmation, right or wrong, is audited in the same
 * transaction as the change (step {@code contact-verification}); neither the code nor the number
 * is ever in an audit row, a log line or workflow history.
 */
public class ContactVerificationRepository {
  public static final String AUDIT_STEP = "contact-verification";
  private static final String LIVE = "('PENDING', 'SENDING', 'SENT')";

  private final Jdbi jdbi;
  private final VerificationLimits limits;

  public ContactVerificationRepository(Jdbi jdbi, VerificationLimits limits) {
    this.jdbi = jdbi;
    this.limits = limits;
  }

  public VerificationLimits limits() {
    return limits;
  }

  /** What a start came to: a new verification, the live one repeated, or the rate limit. */
  public record Start(ContactVerification verification, boolean repeated, Duration retryAfter) {
    public boolean rateLimited() {
      return verification == null;
    }
  }

  /**
   * Starts a verification of a contact point (the caller checked that it is the recipient's),
   * serialized per contact point so concurrent POSTs see each other. A live one younger than
   * {@link VerificationLimits#repeatWithin()} is answered again (nothing new to send); past the
   * rate limit nothing is written but the audit row. A new one supersedes older live ones: only
   * the newest code works.
   */
  public Start start(String tenantId, String recipientId, String channel, String address,
      String actor) {
    return jdbi.inTransaction(h -> {
      h.createQuery("select 1 from (select pg_advisory_xact_lock(hashtext(:k))) lock")
          .bind("k", "relay:verify:" + tenantId + ":" + channel + ":" + address)
          .mapTo(Integer.class).one();
      Optional<ContactVerification> recent = h.createQuery("select * from contact_verifications"
              + " where tenant_id = :t and channel = :c and address = :a and recipient_id = :r"
              + " and state in " + LIVE + " and expires_at > now()"
              + " and created_at > now() - make_interval(secs => :s)"
              + " order by created_at desc limit 1")
          .bind("t", tenantId).bind("c", channel).bind("a", address).bind("r", recipientId)
          .bind("s", limits.repeatWithin().toSeconds())
          .map((rs, ctx) -> map(rs)).findOne();
      if (recent.isPresent()) {
        audit(h, tenantId, actor, "repeated", channel + " contact point of recipient "
            + recipientId + ": start repeated within " + limits.repeatWithin()
            + ", answered with verification " + recent.get().id() + " (no second code)");
        return new Start(recent.get(), true, null);
      }
      // UNSENT ones never reached a provider (Temporal was down): they do not count.
      List<Instant> counted = h.createQuery("select created_at from contact_verifications"
              + " where tenant_id = :t and channel = :c and address = :a and state <> 'UNSENT'"
              + " and created_at > now() - make_interval(secs => :s) order by created_at")
          .bind("t", tenantId).bind("c", channel).bind("a", address)
          .bind("s", limits.window().toSeconds())
          .map((rs, ctx) -> rs.getTimestamp(1).toInstant()).list();
      if (counted.size() >= limits.perWindow()) {
        Instant now = h.createQuery("select now()").mapTo(Timestamp.class).one().toInstant();
        Duration retryAfter = Duration.between(now, counted.get(0).plus(limits.window()));
        audit(h, tenantId, actor, "rate-limited", channel + " contact point of recipient "
            + recipientId + ": " + counted.size() + " verifications within " + limits.window()
            + " (limit " + limits.perWindow() + "), none started");
        return new Start(null, false, retryAfter.isNegative() ? Duration.ZERO : retryAfter);
      }
      h.createUpdate("update contact_verifications set state = 'SUPERSEDED' where tenant_id = :t"
              + " and channel = :c and address = :a and state in " + LIVE)
          .bind("t", tenantId).bind("c", channel).bind("a", address).execute();
      String id = "ver-" + UUID.randomUUID();
      ContactVerification created = h.createQuery("""
              insert into contact_verifications (id, tenant_id, recipient_id, channel, address,
                expires_at)
              values (:id, :t, :r, :c, :a, now() + make_interval(secs => :ttl))
              returning *
              """)
          .bind("id", id).bind("t", tenantId).bind("r", recipientId).bind("c", channel)
          .bind("a", address).bind("ttl", limits.ttl().toSeconds())
          .map((rs, ctx) -> map(rs)).one();
      audit(h, tenantId, actor, "started", channel + " contact point of recipient "
          + recipientId + ": verification " + id + " started, expires " + created.expiresAt());
      return new Start(created, false, null);
    });
  }

  public Optional<ContactVerification> find(String tenantId, String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "select * from contact_verifications where tenant_id = :t and id = :id")
        .bind("t", tenantId).bind("id", id).map((rs, ctx) -> map(rs)).findOne());
  }

  /** The workflow that sends the code could not be started: nothing was sent. */
  public void unsent(String tenantId, String id, String reason) {
    jdbi.useTransaction(h -> {
      int changed = h.createUpdate("update contact_verifications set state = 'UNSENT',"
              + " failure = :f where tenant_id = :t and id = :id and state = 'PENDING'")
          .bind("t", tenantId).bind("id", id).bind("f", reason).execute();
      if (changed > 0) {
        audit(h, tenantId, "relay", "unsent", "verification " + id + " not sent: " + reason);
      }
    });
  }

  /**
   * Keeps the hash of a freshly drawn code, before it is texted (worker). A verification that is
   * no longer PENDING or SENDING keeps what it has.
   *
   * @return whether the code may be sent
   */
  public boolean codeDrawn(String id, VerificationCodes.Hashed hashed) {
    return jdbi.withHandle(h -> h.createUpdate("update contact_verifications set"
            + " state = 'SENDING', code_hash = :h, code_key_id = :k"
            + " where id = :id and state in ('PENDING', 'SENDING') and expires_at > now()")
        .bind("id", id).bind("h", hashed.hash()).bind("k", hashed.keyId()).execute() == 1);
  }

  /** The provider took the text (worker). */
  public void sent(String id, String providerMessageId) {
    jdbi.useHandle(h -> h.createUpdate("update contact_verifications set state = 'SENT',"
            + " sent_at = now(), provider_message_id = :m where id = :id and state = 'SENDING'")
        .bind("id", id).bind("m", providerMessageId).execute());
  }

  /** The text was refused for good (SMS guard, provider): audited, the code is void. */
  public void failed(ContactVerification v, String reason) {
    jdbi.useTransaction(h -> {
      int changed = h.createUpdate("update contact_verifications set state = 'FAILED',"
              + " failure = :f, code_hash = null where id = :id and state in " + LIVE)
          .bind("id", v.id()).bind("f", reason).execute();
      if (changed > 0) {
        audit(h, v.tenantId(), "relay", "not-sent", v.channel() + " contact point of recipient "
            + v.recipientId() + ": verification " + v.id() + " code not sent: " + reason);
      }
    });
  }

  /** What a confirmation came to. */
  public enum Outcome {
    CONFIRMED, WRONG_CODE, LOCKED_NOW, LOCKED, ALREADY_CONFIRMED, SUPERSEDED, EXPIRED, NOT_SENT,
    NOT_FOUND, CONTACT_CHANGED
  }

  /**
   * @param attemptsLeft wrong codes still allowed (after WRONG_CODE, LOCKED_NOW)
   */
  public record Confirmation(Outcome outcome, ContactVerification verification,
      int attemptsLeft) {}

  /**
   * Checks a code, once, under a row lock (so concurrent guesses are counted one by one): right
   * marks the verification CONFIRMED (single use) and the contact point Relay-verified; wrong
   * counts a try and locks the verification at the limit. Every outcome is audited.
   */
  public Confirmation confirm(String tenantId, String recipientId, String id, String code,
      VerificationCodes codes, String actor) {
    return jdbi.inTransaction(h -> {
      Optional<ContactVerification> found = h.createQuery("select * from contact_verifications"
              + " where tenant_id = :t and id = :id and recipient_id = :r for update")
          .bind("t", tenantId).bind("id", id).bind("r", recipientId)
          .map((rs, ctx) -> map(rs)).findOne();
      if (found.isEmpty()) {
        return new Confirmation(Outcome.NOT_FOUND, null, 0);
      }
      ContactVerification v = found.get();
      String about = v.channel() + " contact point of recipient " + recipientId
          + ": verification " + id;
      Instant now = h.createQuery("select now()").mapTo(Timestamp.class).one().toInstant();
      Outcome early = switch (v.state()) {
        case CONFIRMED -> Outcome.ALREADY_CONFIRMED;
        case LOCKED -> Outcome.LOCKED;
        case SUPERSEDED -> Outcome.SUPERSEDED;
        case PENDING, FAILED, UNSENT -> Outcome.NOT_SENT;
        case SENDING, SENT -> v.codeHash() == null ? Outcome.NOT_SENT
            : v.expired(now) ? Outcome.EXPIRED : null;
      };
      if (early != null) {
        audit(h, tenantId, actor, "refused", about + " not confirmed: " + early);
        return new Confirmation(early, v, Math.max(0, limits.maxAttempts() - v.attempts()));
      }
      Optional<String> current = h.createQuery("select address from contact_points"
              + " where tenant_id = :t and recipient_id = :r and channel = :c")
          .bind("t", tenantId).bind("r", recipientId).bind("c", v.channel())
          .mapTo(String.class).findOne();
      if (current.isEmpty() || !current.get().equals(v.address())) {
        audit(h, tenantId, actor, "refused", about + " not confirmed: the recipient's "
            + v.channel() + " contact point changed since it started");
        return new Confirmation(Outcome.CONTACT_CHANGED, v, 0);
      }
      if (codes.matches(id, code, v.codeKeyId(), v.codeHash())) {
        h.createUpdate("update contact_verifications set state = 'CONFIRMED',"
                + " confirmed_at = now(), code_hash = null where id = :id")
            .bind("id", id).execute();
        h.createUpdate("""
                insert into relay_verified_contacts (tenant_id, channel, address)
                values (:t, :c, :a)
                on conflict (tenant_id, channel, address) do update set verified_at = now()
                """)
            .bind("t", tenantId).bind("c", v.channel()).bind("a", v.address()).execute();
        audit(h, tenantId, actor, "confirmed", about + " confirmed: the contact point is "
            + "verified by Relay");
        return new Confirmation(Outcome.CONFIRMED, v, 0);
      }
      int attempts = v.attempts() + 1;
      boolean lock = attempts >= limits.maxAttempts();
      h.createUpdate("update contact_verifications set attempts = :n"
              + (lock ? ", state = 'LOCKED', code_hash = null" : "") + " where id = :id")
          .bind("id", id).bind("n", attempts).execute();
      int left = Math.max(0, limits.maxAttempts() - attempts);
      audit(h, tenantId, actor, lock ? "locked" : "wrong-code", about + ": wrong code ("
          + attempts + " of " + limits.maxAttempts() + ")" + (lock ? ", locked" : ""));
      return new Confirmation(lock ? Outcome.LOCKED_NOW : Outcome.WRONG_CODE, v, left);
    });
  }

  private static void audit(Handle h, String tenantId, String actor, String outcome,
      String detail) {
    // A tenant event (no delivery); the code and the number are never part of it.
    AuditRepository.appendAll(h, List.of(new NewAuditEvent(tenantId, null, null, Instant.now(),
        actor, AUDIT_STEP, outcome, detail, null, null, null, null, null, null)));
  }

  private static ContactVerification map(ResultSet rs) throws SQLException {
    return new ContactVerification(rs.getString("id"), rs.getString("tenant_id"),
        rs.getString("recipient_id"), rs.getString("channel"), rs.getString("address"),
        State.valueOf(rs.getString("state")), rs.getString("code_hash"),
        rs.getString("code_key_id"), rs.getInt("attempts"), rs.getString("failure"),
        instant(rs, "created_at"), instant(rs, "expires_at"), instant(rs, "sent_at"),
        instant(rs, "confirmed_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
