package dev.relay.api.documents;

import dev.relay.api.deliveries.Ids;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.relay.api.auth.Allowed;
import dev.relay.api.config.RelayProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.store.document.DocumentMeta;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import dev.relay.store.tenant.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
@RequestMapping(path = "/v1/documents", produces = MediaType.APPLICATION_JSON_VALUE)
@Allowed(Role.CLIENT)
@Tag(name = "Documents")
public class DocumentController {
  private final DocumentRepository documents;
  private final RelayProperties properties;

  public DocumentController(DocumentRepository documents, RelayProperties properties) {
    this.documents = documents;
    this.properties = properties;
  }

  /** A stored document; deliveries refer to it by {@code documentId}. */
  public record DocumentView(String documentId, String sha256, long size, String filename,
      String contentType, Instant createdAt) {
    static DocumentView of(DocumentMeta m) {
      return new DocumentView(m.id(), m.sha256(), m.size(), m.filename(), m.contentType(),
          m.createdAt());
    }
  }

  @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(operationId = "uploadDocument", summary = "Upload a document (multipart part 'file')",
      description = "400 when empty, 413 when larger than relay.documents.max-size. Other parts "
          + "are ignored.")
  @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
      content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
          schema = @Schema(implementation = Upload.class)))
  @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "201",
      description = "Stored; Location names the document",
      headers = @Header(name = "Location", description = "/v1/documents/{documentId}",
          schema = @Schema(type = "string")))
  @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "413",
      description = "The document is larger than the configured maximum (relay.documents.max-size)")
  public ResponseEntity<DocumentView> upload(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(hidden = true) @RequestPart("file") MultipartFile file) {
    if (file.isEmpty()) {
      throw ApiProblem.validation("file", "must not be empty");
    }
    long max = properties.documents().maxSize().toBytes();
    if (file.getSize() > max) {
      throw new ApiProblem(ProblemType.PAYLOAD_TOO_LARGE,
          "The document is larger than " + properties.documents().maxSize());
    }
    byte[] content;
    try {
      content = file.getBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String id = "doc-" + UUID.randomUUID().toString().replace("-", "");
    DocumentMeta meta = documents.store(caller.tenantId(), id, filename(file), contentType(file),
        content);
    return ResponseEntity.created(URI.create("/v1/documents/" + id)).body(DocumentView.of(meta));
  }

  @GetMapping("/{id}")
  @Operation(operationId = "getDocument", summary = "A document's metadata (never its content)")
  @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", description = "The document's metadata")
  @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "404",
      description = "No such document for this tenant")
  public DocumentView get(@Parameter(hidden = true) ApiKeyPrincipal caller,
      @Parameter(description = "The document's ID", schema = @Schema(type = "string", pattern = Ids.ID_REGEX, maxLength = 128)) @PathVariable String id) {
    return documents.findMeta(caller.tenantId(), id).map(DocumentView::of)
        .orElseThrow(() -> ApiProblem.notFound("Document", id));
  }

  /** The multipart body as documented (the part is bound as a MultipartFile). */
  @Schema(name = "DocumentUpload")
  public record Upload(
      @Schema(description = "The document's bytes (not empty); its file name and Content-Type "
          + "are kept", type = "string", format = "binary", minLength = 1,
          requiredMode = Schema.RequiredMode.REQUIRED) String file) {}

  /** The client's file name without any path, control characters or quotes; "document" if none. */
  static String filename(MultipartFile file) {
    String name = file.getOriginalFilename();
    if (name == null) {
      return "document";
    }
    name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1)
        .replaceAll("[\\p{Cntrl}\"]", "").trim();
    if (name.length() > 200) {
      name = name.substring(name.length() - 200);
    }
    return name.isEmpty() ? "document" : name;
  }

  static String contentType(MultipartFile file) {
    String type = file.getContentType();
    try {
      return type == null ? MediaType.APPLICATION_OCTET_STREAM_VALUE
          : MediaType.parseMediaType(type).toString();
    } catch (RuntimeException e) {
      return MediaType.APPLICATION_OCTET_STREAM_VALUE;
    }
  }
}
