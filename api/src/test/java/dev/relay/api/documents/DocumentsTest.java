package dev.relay.api.documents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relay.api.support.ApiTest;
import dev.relay.api.support.Http;
import dev.relay.contracts.DeliveryIds;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Uploads (relay.documents.max-size is 64KB in tests). */
class DocumentsTest extends ApiTest {

  Http.Reply upload(String key, String part, String filename, byte[] content) {
    String boundary = "----relay" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part
        + "\"; filename=\"" + filename + "\"\r\nContent-Type: application/pdf\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return http().send("POST", "/v1/documents", key, "multipart/form-data; boundary=" + boundary,
        body.toByteArray());
  }

  @Test
  void anUploadIsStoredWithItsDigest() {
    byte[] content = "%PDF-1.7 contract".getBytes(StandardCharsets.UTF_8);
    Http.Reply r = upload(ACME_CLIENT, "file", "C:\\scans\\contract.pdf", content);

    assertThat(r.status()).as(r.body()).isEqualTo(201);
    String id = r.json().path("documentId").asString();
    assertThat(r.header("Location")).hasValue("/v1/documents/" + id);
    assertThat(r.json().path("sha256").asString()).isEqualTo(DeliveryIds.sha256Hex(content));
    assertThat(r.json().path("size").asLong()).isEqualTo(content.length);
    assertThat(r.json().path("filename").asString()).isEqualTo("contract.pdf");
    assertThat(r.json().path("contentType").asString()).isEqualTo("application/pdf");
    Http.Reply meta = http().get("/v1/documents/" + id, ACME_CLIENT);
    assertThat(meta.json().path("sha256").asString()).isEqualTo(DeliveryIds.sha256Hex(content));
    assertThat(http().get("/v1/documents/" + id, GLOBEX_CLIENT).status()).isEqualTo(404);
  }

  @Test
  void anEmptyUploadIs400() {
    Http.Reply r = upload(ACME_CLIENT, "file", "empty.pdf", new byte[0]);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.errorFields()).containsExactly("file");
  }

  @Test
  void aMissingFilePartIs400() {
    Http.Reply r = upload(ACME_CLIENT, "document", "x.pdf", new byte[] {1, 2, 3});
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.errorFields()).containsExactly("file");
  }

  @Test
  void anUploadOverTheLimitIs413() {
    int before = count("select count(*) from documents");
    Http.Reply r = upload(ACME_CLIENT, "file", "big.pdf", new byte[100 * 1024]);
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().path("type").asString()).endsWith("/payload-too-large");
    assertThat(count("select count(*) from documents")).isEqualTo(before);
  }

  @Test
  void notMultipartIs415() {
    Http.Reply r = http().post("/v1/documents", ACME_CLIENT, "{}");
    assertThat(r.status()).isEqualTo(415);
  }
}
