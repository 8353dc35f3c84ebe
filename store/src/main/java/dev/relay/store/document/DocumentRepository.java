package dev.relay.store.document;

import dev.relay.store.Hashing;
import dev.relay.store.sealed.AtRest;
import dev.relay.store.sealed.SealedField;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Uploaded documents. Bytes stay here, sealed with the tenant's data key
 * ({@link SealedField#DOCUMENT_CONTENT}); everything else passes references and digests.
 */
public class DocumentRepository {
  private static final String META_COLUMNS =
      "tenant_id, id, filename, content_type, size, sha256, created_at";
  private final Jdbi jdbi;

  public DocumentRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Stores a document under a new ID; its SHA-256 is computed here, not trusted from callers. */
  public DocumentMeta store(String tenantId, String id, String filename, String contentType,
      byte[] content) {
    String sha = Hashing.sha256Hex(content);
    return jdbi.withHandle(h -> h.createQuery("""
            insert into documents (tenant_id, id, filename, content_type, size, sha256,
              content_sealed)
            values (:t, :id, :filename, :type, :size, :sha, :content)
            returning %s
            """.formatted(META_COLUMNS))
        .bind("t", tenantId).bind("id", id).bind("filename", filename).bind("type", contentType)
        .bind("size", (long) content.length).bind("sha", sha)
        .bind("content", AtRest.session(h).seal(SealedField.DOCUMENT_CONTENT, tenantId, null, id,
            content))
        .map((rs, ctx) -> meta(rs))
        .one());
  }

  public Optional<DocumentMeta> findMeta(String tenantId, String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "select " + META_COLUMNS + " from documents where tenant_id = :t and id = :id")
        .bind("t", tenantId).bind("id", id)
        .map((rs, ctx) -> meta(rs))
        .findOne());
  }

  /**
   * The document's bytes (a document stored before encryption at rest: its plaintext).
   *
   * @throws dev.relay.store.sealed.DataErasedException when the tenant's data keys were destroyed
   */
  public Optional<byte[]> content(String tenantId, String id) {
    return jdbi.withHandle(h -> {
      AtRest.Session session = AtRest.session(h);
      return h.createQuery(
              "select content, content_sealed from documents where tenant_id = :t and id = :id")
          .bind("t", tenantId).bind("id", id)
          .map((rs, ctx) -> rs.getBytes("content_sealed") == null ? rs.getBytes("content")
              : session.open(SealedField.DOCUMENT_CONTENT, tenantId, id,
                  rs.getBytes("content_sealed")))
          .findOne();
    });
  }

  private static DocumentMeta meta(ResultSet rs) throws SQLException {
    return new DocumentMeta(rs.getString("tenant_id"), rs.getString("id"),
        rs.getString("filename"), rs.getString("content_type"), rs.getLong("size"),
        rs.getString("sha256"), rs.getTimestamp("created_at").toInstant());
  }
}
