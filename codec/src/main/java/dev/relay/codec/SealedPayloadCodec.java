package dev.relay.codec;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import io.temporal.payload.context.HasWorkflowSerializationContext;
import io.temporal.payload.context.SerializationContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seals every payload with AES-256-GCM (Tink) before it leaves the process, so the Temporal
 * server (its database, its operators, Temporal Cloud) holds ciphertext only.
 *
 * <p>A sealed payload is the whole original payload (its metadata, such as {@code json/plain},
 * and its data) serialized and encrypted with the keyring's primary key. Its own metadata is
 * {@code encoding: binary/encrypted}, {@code encryption-key-id} and {@code encryption-cipher};
 * those are the associated data of the encryption, so they cannot be swapped or edited without
 * the decryption failing, and the original metadata, being inside the ciphertext, is both hidden
 * and authenticated. When the SDK says which workflow a payload belongs to, its ID is written as
 * {@code encryption-workflow-id} (bound the same way): the codec server logs it and checks the
 * caller's tenant against it. Workflow IDs are already visible in clear, so this reveals nothing.
 *
 * <p>Payloads that are not sealed pass through {@link #decode} unchanged: workflows started
 * before encryption was switched on keep running (their inputs and results stay readable).
 */
public final class SealedPayloadCodec implements PayloadCodec {
  public static final String METADATA_ENCODING = "encoding";
  public static final String ENCODING = "binary/encrypted";
  public static final String METADATA_KEY_ID = "encryption-key-id";
  public static final String METADATA_CIPHER = "encryption-cipher";
  public static final String METADATA_WORKFLOW_ID = "encryption-workflow-id";
  public static final String CIPHER = "AES256_GCM";

  private static final ByteString ENCODING_BYTES = ByteString.copyFromUtf8(ENCODING);
  private static final ByteString CIPHER_BYTES = ByteString.copyFromUtf8(CIPHER);

  private final Keyring keyring;
  private final Map<String, Aead> aeads;
  /** The workflow new payloads are labelled with, or null outside a workflow's context. */
  private final String workflowId;

  public SealedPayloadCodec(Keyring keyring) {
    this.keyring = keyring;
    Map<String, Aead> byId = new LinkedHashMap<>();
    for (PayloadKey key : keyring.keys()) {
      byId.put(key.id(), aead(key));
    }
    this.aeads = Map.copyOf(byId);
    this.workflowId = null;
  }

  private SealedPayloadCodec(SealedPayloadCodec base, String workflowId) {
    this.keyring = base.keyring;
    this.aeads = base.aeads;
    this.workflowId = workflowId;
  }

  @Override
  public PayloadCodec withContext(SerializationContext context) {
    if (context instanceof HasWorkflowSerializationContext workflow
        && workflow.getWorkflowId() != null && !workflow.getWorkflowId().isEmpty()) {
      return new SealedPayloadCodec(this, workflow.getWorkflowId());
    }
    return this;
  }

  public Keyring keyring() {
    return keyring;
  }

  /** The workflow a sealed payload is labelled with, or null. */
  public static String workflowId(Payload payload) {
    ByteString id = payload.getMetadataMap().get(METADATA_WORKFLOW_ID);
    return id == null ? null : id.toStringUtf8();
  }

  /** Whether a payload is sealed by this codec's format (whatever key it names). */
  public static boolean isSealed(Payload payload) {
    return ENCODING_BYTES.equals(payload.getMetadataMap().get(METADATA_ENCODING));
  }

  /** The ID of the key a sealed payload names, or null. */
  public static String keyId(Payload payload) {
    ByteString id = payload.getMetadataMap().get(METADATA_KEY_ID);
    return id == null ? null : id.toStringUtf8();
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    List<Payload> out = new ArrayList<>(payloads.size());
    for (Payload p : payloads) {
      out.add(seal(p));
    }
    return out;
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    List<Payload> out = new ArrayList<>(payloads.size());
    for (Payload p : payloads) {
      out.add(open(p));
    }
    return out;
  }

  Payload seal(Payload payload) {
    if (isSealed(payload)) {
      return payload; // never twice (a client may hand back what it was given)
    }
    PayloadKey key = keyring.primary();
    try {
      byte[] ciphertext = aeads.get(key.id())
          .encrypt(payload.toByteArray(), associatedData(key.id(), workflowId));
      Payload.Builder sealed = Payload.newBuilder()
          .putMetadata(METADATA_ENCODING, ENCODING_BYTES)
          .putMetadata(METADATA_KEY_ID, ByteString.copyFromUtf8(key.id()))
          .putMetadata(METADATA_CIPHER, CIPHER_BYTES);
      if (workflowId != null) {
        sealed.putMetadata(METADATA_WORKFLOW_ID, ByteString.copyFromUtf8(workflowId));
      }
      return sealed.setData(ByteString.copyFrom(ciphertext)).build();
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("cannot seal a payload with key '" + key.id() + "'", e);
    }
  }

  Payload open(Payload payload) {
    if (!isSealed(payload)) {
      return payload;
    }
    String keyId = keyId(payload);
    if (keyId == null) {
      throw new PayloadCodecException("an encrypted payload carries no " + METADATA_KEY_ID
          + "; it was not sealed by Relay's codec");
    }
    ByteString cipher = payload.getMetadataMap().get(METADATA_CIPHER);
    if (cipher != null && !CIPHER_BYTES.equals(cipher)) {
      throw new PayloadCodecException("an encrypted payload uses cipher '" + cipher.toStringUtf8()
          + "'; this codec knows only " + CIPHER);
    }
    Aead aead = aeads.get(keyId);
    if (aead == null) {
      throw new PayloadCodecException("a payload is sealed with key '" + keyId + "', which is not "
          + "in this process's keyring (known: " + String.join(", ", keyring.ids()) + "); add that "
          + "key to relay.codec.keys or relay.codec.key-file (docs/runbooks/payload-keys.md)");
    }
    byte[] plaintext;
    try {
      plaintext = aead.decrypt(payload.getData().toByteArray(),
          associatedData(keyId, workflowId(payload)));
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("a payload sealed with key '" + keyId + "' does not "
          + "authenticate: it was altered, or key '" + keyId + "' here is not the key it was "
          + "sealed with", e);
    }
    try {
      return Payload.parseFrom(plaintext);
    } catch (InvalidProtocolBufferException e) {
      throw new PayloadCodecException("a payload sealed with key '" + keyId + "' opened, but "
          + "what it holds is not a payload", e);
    }
  }

  /** Binds the sealed payload's own metadata (format, cipher, key) to the ciphertext. */
  private static byte[] associatedData(String keyId, String workflowId) {
    return ("relay-sealed-payload/v1\0" + ENCODING + "\0" + CIPHER + "\0" + keyId + "\0"
        + (workflowId == null ? "" : workflowId)).getBytes(StandardCharsets.UTF_8);
  }

  private static Aead aead(PayloadKey key) {
    try {
      AesGcmParameters parameters = AesGcmParameters.builder()
          .setKeySizeBytes(PayloadKey.SIZE_BYTES)
          .setIvSizeBytes(12)
          .setTagSizeBytes(16)
          .setVariant(AesGcmParameters.Variant.NO_PREFIX)
          .build();
      AesGcmKey aesGcmKey = AesGcmKey.builder()
          .setParameters(parameters)
          .setKeyBytes(SecretBytes.copyFrom(key.material(), InsecureSecretKeyAccess.get()))
          .build();
      return AesGcmJce.create(aesGcmKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("payload key '" + key.id() + "' cannot be used for "
          + CIPHER + ": " + e.getMessage(), e);
    }
  }
}
