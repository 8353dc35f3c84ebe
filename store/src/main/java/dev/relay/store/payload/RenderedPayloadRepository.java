package dev.relay.store.payload;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Rendered payloads keyed by (delivery, channel): a re-render after a retry replaces the row. */
public class RenderedPayloadRepository {
  private final Jdbi jdbi;

  public RenderedPayloadRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public void save(RenderedPayload p) {
    jdbi.useHandle(h -> h.createUpdate("""
            insert into rendered_payloads (delivery_id, channel, tenant_id, template_id,
              template_version, subject, html_body, text_body, sha256)
            values (:deliveryId, :channel, :tenantId, :templateId, :templateVersion, :subject,
              :htmlBody, :textBody, :sha256)
            on conflict (delivery_id, channel) do update set template_id = excluded.template_id,
              template_version = excluded.template_version, subject = excluded.subject,
              html_body = excluded.html_body, text_body = excluded.text_body,
              sha256 = excluded.sha256, created_at = now()
            """)
        .bindMethods(p)
        .execute());
  }

  public Optional<RenderedPayload> find(String deliveryId, String channel) {
    return jdbi.withHandle(h -> h.createQuery(
            "select * from rendered_payloads where delivery_id = :d and channel = :c")
        .bind("d", deliveryId).bind("c", channel)
        .map((rs, ctx) -> new RenderedPayload(rs.getString("delivery_id"),
            rs.getString("channel"), rs.getString("tenant_id"), rs.getString("template_id"),
            rs.getInt("template_version"), rs.getString("subject"), rs.getString("html_body"),
            rs.getString("text_body"), rs.getString("sha256")))
        .findOne());
  }
}
