package dev.relay.store.sealed;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Seals rows written before encryption at rest (plaintext in the legacy columns) and clears their
 * plaintext, in small batches that each commit on their own, so it runs while the apps serve
 * (rows another process holds are skipped and sealed by a later batch). Consents are not
 * backfilled: the table is append-only, even for the apps; their old evidence stays as it was.
 */
public class AtRestBackfill {
  private final Jdbi jdbi;

  public AtRestBackfill(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Rows sealed per table in one run. */
  public record Result(int webhookSecrets, int documents, int renderedPayloads, int requests) {
    public int total() {
      return webhookSecrets + documents + renderedPayloads + requests;
    }
  }

  /** Seals every legacy row, {@code batch} rows per transaction; returns what it sealed. */
  public Result sealAll(int batch) {
    int secrets = 0;
    int documents = 0;
    int payloads = 0;
    int requests = 0;
    for (int n; (n = jdbi.inTransaction(h -> secrets(h, batch))) > 0; ) {
      secrets += n;
    }
    for (int n; (n = jdbi.inTransaction(h -> documents(h, batch))) > 0; ) {
      documents += n;
    }
    for (int n; (n = jdbi.inTransaction(h -> payloads(h, batch))) > 0; ) {
      payloads += n;
    }
    for (int n; (n = jdbi.inTransaction(h -> requests(h, batch))) > 0; ) {
      requests += n;
    }
    return new Result(secrets, documents, payloads, requests);
  }

  private static int secrets(Handle h, int batch) {
    AtRest.Session session = AtRest.session(h);
    return h.createQuery("""
            select id, status_webhook_secret from tenants
            where status_webhook_secret is not null and status_webhook_secret_sealed is null
            limit :n for update skip locked
            """)
        .bind("n", batch)
        .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
        .list().stream()
        .mapToInt(row -> h.createUpdate("""
                update tenants set status_webhook_secret_sealed = :sealed,
                  status_webhook_secret = null
                where id = :t
                """)
            .bind("t", row[0])
            .bind("sealed", session.sealText(SealedField.WEBHOOK_SECRET, row[0], null, row[0],
                row[1]))
            .execute())
        .sum();
  }

  private static int documents(Handle h, int batch) {
    AtRest.Session session = AtRest.session(h);
    record Doc(String tenant, String id, byte[] content) {}
    return h.createQuery("""
            select tenant_id, id, content from documents
            where content is not null and content_sealed is null
            limit :n for update skip locked
            """)
        .bind("n", batch)
        .map((rs, ctx) -> new Doc(rs.getString(1), rs.getString(2), rs.getBytes(3)))
        .list().stream()
        .mapToInt(d -> h.createUpdate("""
                update documents set content_sealed = :sealed, content = null
                where tenant_id = :t and id = :id
                """)
            .bind("t", d.tenant()).bind("id", d.id())
            .bind("sealed", session.seal(SealedField.DOCUMENT_CONTENT, d.tenant(), null, d.id(),
                d.content()))
            .execute())
        .sum();
  }

  private static int payloads(Handle h, int batch) {
    record Row(String delivery, String channel, String tenant, String subject, String html,
        String text) {}
    return h.createQuery("""
            select delivery_id, channel, tenant_id, subject, html_body, text_body
            from rendered_payloads where sealed is null
            limit :n for update skip locked
            """)
        .bind("n", batch)
        .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4), rs.getString(5), rs.getString(6)))
        .list().stream()
        .mapToInt(r -> h.createUpdate("""
                update rendered_payloads set sealed = :sealed, subject = null, html_body = null,
                  text_body = null
                where delivery_id = :d and channel = :c
                """)
            .bind("d", r.delivery()).bind("c", r.channel())
            .bind("sealed", dev.relay.store.payload.RenderedPayloadRepository.seal(h, r.tenant(),
                r.delivery(), r.channel(), r.subject(), r.html(), r.text()))
            .execute())
        .sum();
  }

  private static int requests(Handle h, int batch) {
    AtRest.Session session = AtRest.session(h);
    record Row(String id, String tenant, String recipient, String json) {}
    return h.createQuery("""
            select id, tenant_id, recipient_id, request::text from deliveries
            where request is not null and request_sealed is null
            limit :n for update skip locked
            """)
        .bind("n", batch)
        .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4)))
        .list().stream()
        .mapToInt(r -> h.createUpdate("""
                update deliveries set request_sealed = :sealed, request = null where id = :id
                """)
            .bind("id", r.id())
            .bind("sealed", session.sealText(SealedField.DELIVERY_REQUEST, r.tenant(),
                r.recipient(), r.id(), r.json()))
            .execute())
        .sum();
  }
}
