package dev.relay.api.deliveries;

import dev.relay.api.config.RelayProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.api.problems.FieldProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.store.audit.AuditRepository;
import dev.relay.store.delivery.AcceptOutcome;
import dev.relay.store.delivery.DeliveryRecord;
import dev.relay.store.delivery.DeliveryRepository;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.template.TemplateRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Service;

/** Accepting deliveries (idempotently) and reading them back from the store. */
@Service
public class DeliveryService {
  static final int DEFAULT_PAGE = 20;
  static final int MAX_PAGE = 100;
  /** The canonical request is stored and becomes workflow input: keep it small. */
  static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final DeliveryRepository deliveries;
  private final RecipientRepository recipients;
  private final TemplateRepository templates;
  private final DocumentRepository documents;
  private final AuditRepository audit;
  private final WorkflowStarter starter;
  private final RelayProperties properties;
  private final Clock clock;

  public DeliveryService(DeliveryRepository deliveries, RecipientRepository recipients,
      TemplateRepository templates, DocumentRepository documents, AuditRepository audit,
      WorkflowStarter starter, RelayProperties properties) {
    this.deliveries = deliveries;
    this.recipients = recipients;
    this.templates = templates;
    this.documents = documents;
    this.audit = audit;
    this.starter = starter;
    this.properties = properties;
    this.clock = Clock.systemUTC();
  }

  /** What {@link #accept} did: the stored delivery and whether this call created it. */
  public record Acceptance(DeliveryRecord record, boolean created) {}

  /**
   * Accepts a delivery under the caller's idempotency key. The row is written first (durable),
   * then the workflow is started; if Temporal is unreachable the delivery stays accepted and the
   * background starter starts it later.
   *
   * <ul>
   *   <li>400: missing or malformed key, or invalid body (every bad field named)
   *   <li>422 unknown-reference: the recipient, template or a document does not exist for the tenant
   *   <li>422 idempotency-key-reused: the key was used with a different body
   * </ul>
   */
  public Acceptance accept(ApiKeyPrincipal caller, String idempotencyKey, CreateDeliveryRequest body) {
    Checks checks = new Checks();
    if (idempotencyKey == null || idempotencyKey.isEmpty()) {
      checks.add(Ids.IDEMPOTENCY_KEY_HEADER, "is required");
    } else if (!Ids.IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
      checks.add(Ids.IDEMPOTENCY_KEY_HEADER, "must be " + Ids.IDEMPOTENCY_KEY_DESCRIPTION);
    }
    CreateDeliveryRequest.Valid request = body.validate(checks);
    checks.throwIfAny();

    String canonical = CanonicalJson.write(request.canonical());
    if (canonical.getBytes(StandardCharsets.UTF_8).length > MAX_REQUEST_BYTES) {
      throw ApiProblem.validation("variables",
          "the request is larger than " + MAX_REQUEST_BYTES / 1024 + " KB; attach large content as documents");
    }
    String hash = CanonicalJson.sha256(canonical);
    String tenant = caller.tenantId();
    String id = DeliveryIds.deliveryId(tenant, idempotencyKey);

    // A replay of an accepted request gets the same answer, even after its deadline passed or a
    // referenced template changed: the earlier acceptance stands.
    Optional<DeliveryRecord> known = deliveries.find(tenant, id);
    if (known.isPresent()) {
      return afterAccept(new AcceptOutcome.Duplicate(known.get()), hash);
    }

    Checks semantic = new Checks();
    if (request.deadline() != null && !request.deadline().isAfter(clock.instant())) {
      semantic.add("deadline", "must be in the future");
    }
    semantic.throwIfAny();
    checkReferences(tenant, request);

    AcceptOutcome outcome = deliveries.accept(id, tenant, idempotencyKey, hash, canonical,
        request.recipientId(), request.purpose(), request.templateId(),
        DeliveryStatus.ACCEPTED.name());
    return afterAccept(outcome, hash);
  }

  private Acceptance afterAccept(AcceptOutcome outcome, String hash) {
    DeliveryRecord record = outcome.record();
    if (outcome instanceof AcceptOutcome.Conflict || !record.requestHash().equals(hash)) {
      throw new ApiProblem(ProblemType.IDEMPOTENCY_KEY_REUSED,
          "This Idempotency-Key was already used for a different request (delivery "
              + record.id() + "); use a new key for a new request");
    }
    if (!record.workflowStarted()) {
      starter.startWithin(record, properties.temporal().startTimeout());
    }
    return new Acceptance(record, outcome instanceof AcceptOutcome.Created);
  }

  private void checkReferences(String tenant, CreateDeliveryRequest.Valid request) {
    List<FieldProblem> unknown = new ArrayList<>();
    if (!recipients.exists(tenant, request.recipientId())) {
      unknown.add(new FieldProblem("recipientId", "no recipient '" + request.recipientId() + "'"));
    }
    if (templates.find(tenant, request.templateId()).isEmpty()) {
      unknown.add(new FieldProblem("templateId", "no template '" + request.templateId() + "'"));
    }
    for (int i = 0; i < request.documentIds().size(); i++) {
      String doc = request.documentIds().get(i);
      if (documents.findMeta(tenant, doc).isEmpty()) {
        unknown.add(new FieldProblem("documentIds[" + i + "]", "no document '" + doc + "'"));
      }
    }
    if (!unknown.isEmpty()) {
      throw new ApiProblem(ProblemType.UNKNOWN_REFERENCE,
          "Unknown " + String.join(", ", unknown.stream().map(FieldProblem::field).toList()),
          unknown, HttpHeaders.EMPTY);
    }
  }

  /** The caller's delivery, or 404 (unknown and other tenants' IDs alike). */
  public DeliveryRecord get(ApiKeyPrincipal caller, String id) {
    return deliveries.find(caller.tenantId(), id)
        .orElseThrow(() -> ApiProblem.notFound("Delivery", id));
  }

  public DeliveryViews.Delivery view(ApiKeyPrincipal caller, String id) {
    DeliveryRecord record = get(caller, id);
    return DeliveryViews.Delivery.of(record, audit.forDelivery(caller.tenantId(), id));
  }

  public DeliveryViews.AuditTrail auditTrail(ApiKeyPrincipal caller, String id) {
    get(caller, id);
    var events = audit.forDelivery(caller.tenantId(), id);
    boolean intact = audit.verifyChain(caller.tenantId()).intact();
    return new DeliveryViews.AuditTrail(id, intact,
        events.stream().map(DeliveryViews.AuditEvent::of).toList());
  }

  public DeliveryViews.Page page(ApiKeyPrincipal caller, String status, String recipientId,
      String limit, String cursor) {
    Checks checks = new Checks();
    if (status != null && !isStatus(status)) {
      checks.add("status", "must be one of " + List.of(DeliveryStatus.values()));
    }
    checks.matches("recipientId", recipientId, Ids.ID, Ids.ID_DESCRIPTION);
    int size = DEFAULT_PAGE;
    if (limit != null) {
      try {
        size = Integer.parseInt(limit);
        if (size < 1 || size > MAX_PAGE) {
          checks.add("limit", "must be between 1 and " + MAX_PAGE);
        }
      } catch (NumberFormatException e) {
        checks.add("limit", "must be a whole number between 1 and " + MAX_PAGE);
      }
    }
    Cursor after = null;
    if (cursor != null) {
      after = Cursor.decode(cursor);
      if (after == null) {
        checks.add("cursor", "is not a cursor this API returned");
      }
    }
    checks.throwIfAny();
    List<DeliveryRecord> rows = deliveries.page(caller.tenantId(), status, recipientId,
        after == null ? null : after.createdAt(), after == null ? null : after.id(), size + 1);
    boolean more = rows.size() > size;
    List<DeliveryRecord> page = more ? rows.subList(0, size) : rows;
    String next = more ? Cursor.encode(page.get(page.size() - 1)) : null;
    return new DeliveryViews.Page(page.stream().map(DeliveryViews.Summary::of).toList(), next);
  }

  private static boolean isStatus(String value) {
    for (DeliveryStatus s : DeliveryStatus.values()) {
      if (s.name().equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** Keyset cursor: the last row's (createdAt, id), opaque to clients. */
  record Cursor(Instant createdAt, String id) {
    static String encode(DeliveryRecord last) {
      String raw = last.createdAt().toString() + "|" + last.id();
      return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String cursor) {
      try {
        String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        int bar = raw.indexOf('|');
        if (bar < 0) {
          return null;
        }
        return new Cursor(Instant.parse(raw.substring(0, bar)), raw.substring(bar + 1));
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
