package dev.relay.store.sealed;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.util.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envelope encryption of sensitive columns (AES-256-GCM from Tink; no crypto of our own).
 *
 * <p>A value is sealed with a <em>data key</em> (DEK) of its scope: the tenant's, or the
 * recipient's for data about one recipient. DEKs are random, stored in {@code data_keys} only
 * wrapped by a key-encryption key (KEK, {@link KekRing}) that is never in the database.
 *
 * <p>Formats (both start with a version byte, then the ID of the key that sealed them):
 * <pre>
 *   sealed value : 0x01 | len | DEK id | Tink AES-GCM(nonce | ciphertext | tag)
 *                  associated data = header | 0x00 | "relay/at-rest/v1" column tenant row-id
 *   wrapped DEK  : 0x01 | len | KEK id | AES-GCM of the 32 DEK bytes
 *                  associated data = header | 0x00 | "relay/dek/v1" DEK id, tenant, recipient
 * </pre>
 * The associated data binds a value to its column, tenant and row, and a DEK to its scope: a
 * value copied elsewhere, or a key row moved to another recipient, does not open.
 *
 * <p>Rotation: the primary KEK wraps new DEKs; a DEK under an older KEK is re-wrapped with the
 * primary the first time it is used ({@link DataKeyRepository#rewrapAll} does the rest), so old
 * data stays readable throughout. {@link DataKeyRepository#rotate} starts a new DEK for a scope;
 * new writes use the newest live DEK, old values keep naming theirs.
 */
public final class AtRest {
  private static final Logger log = LoggerFactory.getLogger(AtRest.class);
  static final byte FORMAT_V1 = 1;
  private static final int DEK_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KekRing keks;

  public AtRest(KekRing keks) {
    this.keks = keks;
  }

  public KekRing keks() {
    return keks;
  }

  /** The {@link AtRest} the handle's Jdbi was configured with. */
  public static AtRest of(Handle h) {
    return h.getConfig(AtRestConfig.class).atRest();
  }

  /** Seals and opens on {@code h}; remembers the keys it used for as long as the caller keeps it. */
  public static Session session(Handle h) {
    return of(h).new Session(h);
  }

  /** One unit of work's sealing and opening: per call, at most one key lookup per scope. */
  public final class Session {
    private final Handle h;
    private final Map<String, LiveKey> current = new HashMap<>();
    private final Map<String, Aead> opened = new HashMap<>();

    private Session(Handle h) {
      this.h = h;
    }

    /**
     * Seals {@code plaintext} for {@code field} of row {@code rowId} with the newest live data key
     * of the recipient ({@code recipientId} not null) or of the tenant, made if there is none.
     */
    public byte[] seal(SealedField field, String tenantId, String recipientId, String rowId,
        byte[] plaintext) {
      LiveKey key = current.computeIfAbsent(scope(tenantId, recipientId),
          s -> currentKey(h, tenantId, recipientId));
      opened.putIfAbsent(key.id(), key.aead());
      byte[] header = header(key.id());
      try {
        byte[] ct = key.aead().encrypt(plaintext, valueAad(header, field, tenantId, rowId));
        byte[] out = Arrays.copyOf(header, header.length + ct.length);
        System.arraycopy(ct, 0, out, header.length, ct.length);
        return out;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot seal " + field.column() + ": " + e.getMessage(), e);
      }
    }

    public byte[] sealText(SealedField field, String tenantId, String recipientId, String rowId,
        String plaintext) {
      return plaintext == null ? null
          : seal(field, tenantId, recipientId, rowId, plaintext.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Opens what {@link #seal} sealed for the same field, tenant and row.
     *
     * @throws DataErasedException when its data key was destroyed
     * @throws IllegalStateException when it does not authenticate (edited, or moved from another
     *     row, column or tenant) or its KEK is not configured here
     */
    public byte[] open(SealedField field, String tenantId, String rowId, byte[] sealed) {
      Parsed p = parse(sealed, "a sealed " + field.column());
      Aead dek = opened.get(p.keyId());
      if (dek == null) {
        dek = unwrap(h, p.keyId(), tenantId);
        opened.put(p.keyId(), dek);
      }
      try {
        return dek.decrypt(p.body(), valueAad(p.header(), field, tenantId, rowId));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(field.column() + " of " + tenantId + "/" + rowId
            + " does not authenticate (edited, or copied from another row)", e);
      }
    }

    public String openText(SealedField field, String tenantId, String rowId, byte[] sealed) {
      return sealed == null ? null
          : new String(open(field, tenantId, rowId, sealed), StandardCharsets.UTF_8);
    }
  }

  record LiveKey(String id, Aead aead) {}

  private record Parsed(String keyId, byte[] header, byte[] body) {}

  /** The newest live DEK of the scope, or a new one. */
  private LiveKey currentKey(Handle h, String tenantId, String recipientId) {
    Optional<KeyRow> row = h.createQuery("""
            select id, tenant_id, recipient_id, kek_id, wrapped_key from data_keys
            where tenant_id = :t and recipient_id is not distinct from :r and wrapped_key is not null
            order by created_at desc, id desc limit 1
            """)
        .bind("t", tenantId).bind("r", recipientId)
        .map((rs, ctx) -> new KeyRow(rs.getString("id"), rs.getString("tenant_id"),
            rs.getString("recipient_id"), rs.getString("kek_id"), rs.getBytes("wrapped_key")))
        .findOne();
    if (row.isPresent()) {
      return new LiveKey(row.get().id(), open(h, row.get()));
    }
    return createKey(h, tenantId, recipientId);
  }

  /** Makes a new DEK for the scope, wrapped with the primary KEK; it becomes the scope's newest. */
  LiveKey createKey(Handle h, String tenantId, String recipientId) {
    byte[] material = SecretBytes.randomBytes(DEK_BYTES).toByteArray(InsecureSecretKeyAccess.get());
    byte[] idBytes = new byte[10];
    RANDOM.nextBytes(idBytes);
    String id = "dk_" + HexFormat.of().formatHex(idBytes);
    h.createUpdate("""
            insert into data_keys (id, tenant_id, recipient_id, kek_id, wrapped_key)
            values (:id, :t, :r, :kek, :wrapped)
            """)
        .bind("id", id).bind("t", tenantId).bind("r", recipientId).bind("kek", keks.primaryId())
        .bind("wrapped", wrap(id, tenantId, recipientId, material))
        .execute();
    return new LiveKey(id, KekRing.aesGcm("data key " + id, material));
  }

  record KeyRow(String id, String tenantId, String recipientId, String kekId, byte[] wrapped) {}

  private Aead unwrap(Handle h, String keyId, String tenantId) {
    KeyRow row = h.createQuery("""
            select id, tenant_id, recipient_id, kek_id, wrapped_key from data_keys where id = :id
            """)
        .bind("id", keyId)
        .map((rs, ctx) -> new KeyRow(rs.getString("id"), rs.getString("tenant_id"),
            rs.getString("recipient_id"), rs.getString("kek_id"), rs.getBytes("wrapped_key")))
        .findOne()
        .orElseThrow(() -> new IllegalStateException("data key " + keyId + " does not exist"));
    if (!row.tenantId().equals(tenantId)) {
      throw new IllegalStateException("data key " + keyId + " is not tenant " + tenantId + "'s");
    }
    if (row.wrapped() == null) {
      throw new DataErasedException(row.tenantId(), row.recipientId(), keyId);
    }
    return open(h, row);
  }

  /** Unwraps a live key row; one under an older KEK is re-wrapped with the primary on the way. */
  private Aead open(Handle h, KeyRow row) {
    byte[] material = unwrapMaterial(row);
    if (!keks.primaryId().equals(row.kekId())) {
      int n = h.createUpdate("""
              update data_keys set kek_id = :kek, wrapped_key = :wrapped, rewrapped_at = now()
              where id = :id and kek_id = :old and wrapped_key is not null
              """)
          .bind("id", row.id()).bind("kek", keks.primaryId()).bind("old", row.kekId())
          .bind("wrapped", wrap(row.id(), row.tenantId(), row.recipientId(), material))
          .execute();
      if (n == 1) {
        log.info("data key {} re-wrapped from KEK '{}' to the primary KEK '{}'", row.id(),
            row.kekId(), keks.primaryId());
      }
    }
    return KekRing.aesGcm("data key " + row.id(), material);
  }

  byte[] unwrapMaterial(KeyRow row) {
    Parsed p = parse(row.wrapped(), "wrapped data key " + row.id());
    Aead kek = keks.find(p.keyId()).orElseThrow(() -> new IllegalStateException("data key "
        + row.id() + " is wrapped with KEK '" + p.keyId() + "', which is not configured here "
        + "(known: " + keks.ids() + "); add it to relay.at-rest.keys / key-file"));
    try {
      return kek.decrypt(p.body(), dekAad(p.header(), row.id(), row.tenantId(), row.recipientId()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("data key " + row.id() + " does not unwrap with KEK '"
          + p.keyId() + "' (edited, moved to another scope, or a different key under that ID)", e);
    }
  }

  byte[] wrap(String dekId, String tenantId, String recipientId, byte[] material) {
    byte[] header = header(keks.primaryId());
    try {
      byte[] ct = keks.primary().encrypt(material, dekAad(header, dekId, tenantId, recipientId));
      byte[] out = Arrays.copyOf(header, header.length + ct.length);
      System.arraycopy(ct, 0, out, header.length, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot wrap data key " + dekId + " with KEK '"
          + keks.primaryId() + "': " + e.getMessage(), e);
    }
  }

  /** The key ID a sealed value or wrapped key names (for tools and tests). */
  public static String keyIdOf(byte[] sealed) {
    return parse(sealed, "a sealed value").keyId();
  }

  private static byte[] header(String keyId) {
    byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
    byte[] header = new byte[2 + id.length];
    header[0] = FORMAT_V1;
    header[1] = (byte) id.length;
    System.arraycopy(id, 0, header, 2, id.length);
    return header;
  }

  private static Parsed parse(byte[] sealed, String what) {
    if (sealed == null || sealed.length < 3 || sealed[0] != FORMAT_V1) {
      throw new IllegalStateException(what + " is not in a known format (version byte "
          + (sealed == null || sealed.length == 0 ? "missing" : sealed[0]) + ")");
    }
    int len = sealed[1] & 0xff;
    if (len == 0 || sealed.length < 2 + len + 1) {
      throw new IllegalStateException(what + " is truncated");
    }
    return new Parsed(new String(sealed, 2, len, StandardCharsets.US_ASCII),
        Arrays.copyOf(sealed, 2 + len), Arrays.copyOfRange(sealed, 2 + len, sealed.length));
  }

  private static byte[] valueAad(byte[] header, SealedField field, String tenantId, String rowId) {
    return aad(header, List.of("relay/at-rest/v1", field.column(), tenantId, rowId));
  }

  private static byte[] dekAad(byte[] header, String dekId, String tenantId, String recipientId) {
    return aad(header, List.of("relay/dek/v1", dekId, tenantId,
        recipientId == null ? "tenant" : "recipient:" + recipientId));
  }

  /** Header, then each part length-prefixed (no separator a part could contain). */
  private static byte[] aad(byte[] header, List<String> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    for (String part : parts) {
      byte[] b = part.getBytes(StandardCharsets.UTF_8);
      out.write(b.length >>> 24);
      out.write(b.length >>> 16);
      out.write(b.length >>> 8);
      out.write(b.length);
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  private static String scope(String tenantId, String recipientId) {
    return recipientId == null ? tenantId + "\u0000" : tenantId + "\u0000r:" + recipientId;
  }
}
