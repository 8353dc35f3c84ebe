package dev.relay.store.template;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

public class TemplateRepository {
  private final Jdbi jdbi;

  public TemplateRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Creates the template at version 1 or replaces it with version n+1. */
  public Template upsert(String tenantId, String id, String subject, String htmlBody,
      String textBody, String smsBody) {
    return jdbi.withHandle(h -> h.createQuery("""
            insert into templates (tenant_id, id, subject, html_body, text_body, sms_body)
            values (:t, :id, :subject, :html, :text, :sms)
            on conflict (tenant_id, id) do update set subject = excluded.subject,
              html_body = excluded.html_body, text_body = excluded.text_body,
              sms_body = excluded.sms_body, version = templates.version + 1, updated_at = now()
            returning *
            """)
        .bind("t", tenantId).bind("id", id).bind("subject", subject).bind("html", htmlBody)
        .bind("text", textBody).bind("sms", smsBody)
        .map((rs, ctx) -> new Template(rs.getString("tenant_id"), rs.getString("id"),
            rs.getInt("version"), rs.getString("subject"), rs.getString("html_body"),
            rs.getString("text_body"), rs.getString("sms_body"),
            rs.getTimestamp("updated_at").toInstant()))
        .one());
  }

  public Optional<Template> find(String tenantId, String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "select * from templates where tenant_id = :t and id = :id")
        .bind("t", tenantId).bind("id", id)
        .map((rs, ctx) -> new Template(rs.getString("tenant_id"), rs.getString("id"),
            rs.getInt("version"), rs.getString("subject"), rs.getString("html_body"),
            rs.getString("text_body"), rs.getString("sms_body"),
            rs.getTimestamp("updated_at").toInstant()))
        .findOne());
  }
}
