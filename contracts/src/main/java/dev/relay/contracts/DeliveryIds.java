package dev.relay.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Delivery IDs. A delivery's ID is also its Temporal workflow ID, derived from the tenant and
 * the client's idempotency key, so the same request can never start two workflows. The key
 * itself is hashed: it may carry client data and must not show up in the Temporal UI.
 */
public final class DeliveryIds {
  private static final String PREFIX = "dlv-";
  private static final Pattern SHAPE = Pattern.compile("dlv-[0-9a-f]{32}");

  private DeliveryIds() {}

  public static String deliveryId(String tenantId, String idempotencyKey) {
    String digest = sha256Hex(tenantId + "\n" + idempotencyKey);
    return PREFIX + digest.substring(0, 32);
  }

  /** The workflow ID of a delivery. Kept as its own function so the mapping can evolve. */
  public static String workflowId(String deliveryId) {
    return deliveryId;
  }

  public static boolean looksLikeDeliveryId(String candidate) {
    return candidate != null && SHAPE.matcher(candidate).matches();
  }

  /**
   * The key of one send in the send ledger: delivery, channel and the workflow's send round.
   * Retries of the same round reuse the key so a crash between "sent" and "recorded" is caught.
   */
  public static String sendKey(String deliveryId, Channel channel, int round) {
    return deliveryId + ":" + channel.name().toLowerCase(Locale.ROOT) + ":" + round;
  }

  /**
   * The ID of a status event (a webhook's {@code webhook-id}): delivery and the workflow's event
   * sequence, so a retried notification is the same event and receivers can dedupe on it.
   */
  public static String eventId(String deliveryId, long sequence) {
    return deliveryId + ":" + sequence;
  }

  public static String sha256Hex(String text) {
    return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the JDK", e);
    }
  }
}
