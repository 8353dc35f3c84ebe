package dev.relay.store.payload;

import dev.relay.store.sealed.AtRest;
import dev.relay.store.sealed.SealedField;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Rendered payloads keyed by (delivery, channel): a re-render after a retry replaces the row.
 * Subject and bodies are sealed together with the delivery's recipient's data key
 * ({@link SealedField#RENDERED_PAYLOAD}), so erasing the recipient erases them; rows rendered
 * before encryption at rest keep their plaintext columns until the backfill seals them.
 */
public class RenderedPayloadRepository {
  private final Jdbi jdbi;

  public RenderedPayloadRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public void save(RenderedPayload p) {
    jdbi.useHandle(h -> h.createUpdate("""
            insert into rendered_payloads (delivery_id, channel, tenant_id, template_id,
              template_version, subject, html_body, text_body, sealed, sha256)
            values (:deliveryId, :channel, :tenantId, :templateId, :templateVersion, null,
              null, null, :sealed, :sha256)
            on conflict (delivery_id, channel) do update set template_id = excluded.template_id,
              template_version = excluded.template_version, subject = null, html_body = null,
              text_body = null, sealed = excluded.sealed, sha256 = excluded.sha256,
              created_at = now()
            """)
        .bindMethods(p)
        .bind("sealed", seal(h, p.tenantId(), p.deliveryId(), p.channel(), p.subject(),
            p.htmlBody(), p.textBody()))
        .execute());
  }

  /**
   * The rendering for (delivery, channel).
   *
   * @throws dev.relay.store.sealed.DataErasedException when the recipient's (or tenant's) data
   *     keys were destroyed
   */
  public Optional<RenderedPayload> find(String deliveryId, String channel) {
    return jdbi.withHandle(h -> {
      AtRest.Session session = AtRest.session(h);
      return h.createQuery(
              "select * from rendered_payloads where delivery_id = :d and channel = :c")
          .bind("d", deliveryId).bind("c", channel)
          .map((rs, ctx) -> {
            String tenant = rs.getString("tenant_id");
            String subject = rs.getString("subject");
            String html = rs.getString("html_body");
            String text = rs.getString("text_body");
            byte[] sealed = rs.getBytes("sealed");
            if (sealed != null) {
              String[] parts = decode(session.open(SealedField.RENDERED_PAYLOAD, tenant,
                  rowId(deliveryId, channel), sealed));
              subject = parts[0];
              html = parts[1];
              text = parts[2];
            }
            return new RenderedPayload(rs.getString("delivery_id"), rs.getString("channel"),
                tenant, rs.getString("template_id"), rs.getInt("template_version"), subject, html,
                text, rs.getString("sha256"));
          })
          .findOne();
    });
  }

  /**
   * Seals subject, HTML and text body under the delivery's recipient's key (the tenant's when no
   * delivery row names one: renderings made outside a delivery).
   */
  public static byte[] seal(Handle h, String tenantId, String deliveryId, String channel, String subject,
      String html, String text) {
    String recipient = h.createQuery(
            "select recipient_id from deliveries where id = :d and tenant_id = :t")
        .bind("d", deliveryId).bind("t", tenantId)
        .mapTo(String.class).findOne().orElse(null);
    return AtRest.session(h).seal(SealedField.RENDERED_PAYLOAD, tenantId, recipient,
        rowId(deliveryId, channel), encode(subject, html, text));
  }

  static String rowId(String deliveryId, String channel) {
    return deliveryId + ":" + channel;
  }

  /** Three nullable strings, each as a presence flag, a length and UTF-8 bytes. */
  static byte[] encode(String... parts) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (String part : parts) {
        out.writeBoolean(part != null);
        if (part != null) {
          byte[] b = part.getBytes(StandardCharsets.UTF_8);
          out.writeInt(b.length);
          out.write(b);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static String[] decode(byte[] encoded) {
    String[] parts = new String[3];
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
      for (int i = 0; i < parts.length; i++) {
        if (in.readBoolean()) {
          parts[i] = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("a sealed rendered payload has an unknown layout", e);
    }
    return parts;
  }
}
