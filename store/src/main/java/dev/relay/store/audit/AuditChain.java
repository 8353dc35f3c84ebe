package dev.relay.store.audit;

import dev.relay.store.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a row's hash and a checkpoint's signature are computed, shared by the database side and the
 * standalone verifier (which works from an exported copy alone).
 *
 * <p>Rows with a {@code keyId} (scheme v2) carry HMAC-SHA256, under that key, of their content,
 * their place ({@code chainSeq}), the previous row's hash and the key ID: without the key a
 * rewritten row cannot be re-hashed. Rows without a key ID were written before keyed hashing
 * (scheme v1, plain SHA-256); they still verify, and the first keyed row's HMAC covers the last
 * of them. Once a tenant has a keyed row, an unkeyed row after it is a break.
 */
public final class AuditChain {
  /** The hash of "nothing before": the first row of every tenant chains to it. */
  public static final String GENESIS = "0".repeat(64);

  private static final String ROW_V2 = "relay-audit-row-v2";
  private static final String CHECKPOINT_V1 = "relay-audit-checkpoint-v1";

  private AuditChain() {}

  /** The hash {@code r} must carry, computed from its content (its own hash is ignored). */
  public static String expectedHash(AuditKeys keys, AuditRecord r) {
    if (r.keyId() == null) {
      return Hashing.sha256Hex(canonical(Stream.of(r.prevHash(), r.tenantId(), r.chainSeq(),
          r.deliveryId(), r.sequence(), r.occurredAt(), r.actor(), r.step(), r.outcome(),
          r.detail(), r.status(), r.channel(), r.attempts(), r.consentVersion(), r.provider(),
          r.providerMessageId())));
    }
    return hmac(keys.require(r.keyId()), canonical(Stream.of(ROW_V2, r.keyId(), r.prevHash(),
        r.tenantId(), r.chainSeq(), r.deliveryId(), r.sequence(), r.occurredAt(), r.actor(),
        r.step(), r.outcome(), r.detail(), r.status(), r.channel(), r.attempts(),
        r.consentVersion(), r.provider(), r.providerMessageId())));
  }

  /** Why {@code r} on its own does not verify (content vs. hash, key known), or empty. */
  public static Optional<String> checkRow(AuditKeys keys, AuditRecord r) {
    if (r.keyId() != null && keys.byId(r.keyId()).isEmpty()) {
      return Optional.of("row " + r.chainSeq() + " is signed with audit key '" + r.keyId()
          + "', which is not configured here");
    }
    if (!constantTimeEquals(expectedHash(keys, r), r.hash())) {
      return Optional.of("row " + r.chainSeq() + " does not match its "
          + (r.keyId() == null ? "SHA-256 hash" : "HMAC (key " + r.keyId() + ")")
          + ": its content was edited");
    }
    return Optional.empty();
  }

  /** The signature of a checkpoint over (tenant, chain_seq, hash, time, key ID). */
  public static String sign(AuditKey key, String tenantId, long chainSeq, String hash,
      Instant createdAt) {
    return hmac(key, canonical(Stream.of(CHECKPOINT_V1, key.id(), tenantId, chainSeq, hash,
        createdAt)));
  }

  /** Why {@code c}'s signature does not verify, or empty. */
  public static Optional<String> checkCheckpoint(AuditKeys keys, AuditCheckpoint c) {
    Optional<AuditKey> key = keys.byId(c.keyId());
    if (key.isEmpty()) {
      return Optional.of("checkpoint at row " + c.chainSeq() + " is signed with audit key '"
          + c.keyId() + "', which is not configured here");
    }
    String expected = sign(key.get(), c.tenantId(), c.chainSeq(), c.hash(), c.createdAt());
    return constantTimeEquals(expected, c.signature()) ? Optional.empty()
        : Optional.of("checkpoint at row " + c.chainSeq() + " has an invalid signature (forged"
            + " or edited)");
  }

  /**
   * Walks rows in chain order from a known point and names the first break. Feed it rows with
   * {@link #next}; {@link #firstBreak} stays set once a break is found.
   */
  public static final class Walker {
    private final AuditKeys keys;
    private long lastSeq;
    private String lastHash;
    private boolean keyedSeen;
    private ChainBreak firstBreak;
    private long checked;

    /** From the start of a chain. */
    public Walker(AuditKeys keys) {
      this(keys, 0, GENESIS, false);
    }

    /** From a verified row: its chain_seq, its hash and whether the chain was keyed by then. */
    public Walker(AuditKeys keys, long lastSeq, String lastHash, boolean keyedSeen) {
      this.keys = keys;
      this.lastSeq = lastSeq;
      this.lastHash = lastHash;
      this.keyedSeen = keyedSeen;
    }

    /** Checks {@code r} as the row after the last one; false (and the break kept) if it fails. */
    public boolean next(AuditRecord r) {
      if (firstBreak != null) {
        return false;
      }
      long expected = lastSeq + 1;
      String why = null;
      if (r.chainSeq() != expected) {
        why = r.chainSeq() > expected
            ? "row " + r.chainSeq() + " comes where row " + expected + " should be: row"
                + (r.chainSeq() - 1 > expected ? "s " + expected + "-" + (r.chainSeq() - 1)
                    + " were" : " " + expected + " was") + " deleted or moved"
            : "row " + r.chainSeq() + " comes after row " + lastSeq
                + ": rows were reordered or duplicated";
      } else if (!constantTimeEquals(lastHash, r.prevHash())) {
        why = "row " + r.chainSeq() + " does not link to row " + lastSeq
            + " (prev_hash differs: a row was replaced, moved or deleted)";
      } else if (r.keyId() == null && keyedSeen) {
        why = "row " + r.chainSeq() + " is unkeyed after keyed rows (written without the key)";
      } else {
        why = checkRow(keys, r).orElse(null);
      }
      if (why != null) {
        firstBreak = new ChainBreak(r.tenantId(), Math.min(r.chainSeq(), expected), why);
        return false;
      }
      checked++;
      lastSeq = r.chainSeq();
      lastHash = r.hash();
      keyedSeen |= r.keyId() != null;
      return true;
    }

    public ChainBreak firstBreak() {
      return firstBreak;
    }

    public long lastSeq() {
      return lastSeq;
    }

    public String lastHash() {
      return lastHash;
    }

    public boolean keyedSeen() {
      return keyedSeen;
    }

    public long checked() {
      return checked;
    }
  }

  private static String canonical(Stream<Object> fields) {
    // Unit separator between fields and an explicit marker for null, so no two different rows
    // serialize to the same text.
    return fields.map(v -> v == null ? "\u2400" : v.toString())
        .collect(Collectors.joining("\u001f"));
  }

  private static String hmac(AuditKey key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by the JDK", e);
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return a != null && b != null && java.security.MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
