package dev.relay.api.deliveries;

import dev.relay.api.config.RelayProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.api.problems.FieldProblem;
import dev.relay.api.problems.ProblemHandler;
import dev.relay.api.problems.ProblemType;
import dev.relay.contracts.DeliveryIds;
import dev.relay.contracts.DeliveryStatus;
import dev.relay.store.audit.AuditRecord;
import dev.relay.store.audit.AuditRepository;
import dev.relay.api.limits.RateLimits;
import dev.relay.contracts.Channel;
import dev.relay.store.delivery.AcceptCharge;
import dev.relay.store.delivery.AcceptOutcome;
import dev.relay.store.limits.ChannelQuota;
import dev.relay.store.limits.QuotaExceededException;
import dev.relay.store.limits.QuotaRepository;
import dev.relay.store.delivery.DeliveryRecord;
import dev.relay.store.delivery.DeliveryRepository;
import dev.relay.store.delivery.NewDelivery;
import dev.relay.store.document.DocumentRepository;
import dev.relay.store.recipient.RecipientRepository;
import dev.relay.store.template.TemplateRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Accepting deliveries (idempotently) and reading them back from the store. */
@Service
public class DeliveryService {
  private static final Logger log = LoggerFactory.getLogger(DeliveryService.class);
  static final int DEFAULT_PAGE = 20;
  static final int MAX_PAGE = 100;
  /** The canonical request is stored and becomes workflow input: keep it small. */
  static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final DeliveryRepository deliveries;
  private final RecipientRepository recipients;
  private final TemplateRepository templates;
  private final DocumentRepository documents;
  private final AuditRepository audit;
  private final StartKicker kicker;
  private final RelayProperties properties;
  private final JsonMapper json;
  private final RateLimits limits;
  private final Clock clock;

  public DeliveryService(DeliveryRepository deliveries, RecipientRepository recipients,
      TemplateRepository templates, DocumentRepository documents, AuditRepository audit,
      StartKicker kicker, RelayProperties properties, JsonMapper json, RateLimits limits) {
    this.deliveries = deliveries;
    this.recipients = recipients;
    this.templates = templates;
    this.documents = documents;
    this.audit = audit;
    this.kicker = kicker;
    this.properties = properties;
    this.json = json;
    this.limits = limits;
    this.clock = Clock.systemUTC();
  }

  /** What {@link #accept} did: the stored delivery and whether this call created it. */
  public record Acceptance(DeliveryRecord record, boolean created) {}

  /**
   * Accepts a delivery under the caller's idempotency key. The row is committed (durable, and the
   * start outbox), its workflow start is kicked off the request thread, and the call returns
   * without waiting for Temporal; the background starter covers a start that does not happen.
   *
   * <ul>
   *   <li>400: missing or malformed key, or invalid body (every bad field named)
   *   <li>422 unknown-reference: the recipient, template or a document does not exist for the tenant
   *   <li>422 idempotency-key-reused: the key was used with a different body
   * </ul>
   */
  public Acceptance accept(ApiKeyPrincipal caller, String idempotencyKey, CreateDeliveryRequest body) {
    Parsed parsed = parse(caller.tenantId(), idempotencyKey, body, Ids.IDEMPOTENCY_KEY_HEADER);

    // A replay of an accepted request gets the same answer, even after its deadline passed or a
    // referenced template changed: the earlier acceptance stands.
    Optional<DeliveryRecord> known = deliveries.find(parsed.tenantId(), parsed.id());
    if (known.isPresent()) {
      return afterAccept(new AcceptOutcome.Duplicate(known.get()), parsed.hash());
    }
    checkSemantics(parsed, new References(parsed.tenantId()));

    AcceptOutcome outcome;
    try {
      outcome = deliveries.accept(parsed.row(), properties.starter().claim(),
          quotaCharge(parsed.tenantId(), List.of(parsed)));
    } catch (QuotaExceededException e) {
      throw limits.quotaExceeded(e);
    }
    return afterAccept(outcome, parsed.hash());
  }

  /**
   * Accepts up to {@link BatchViews#MAX_ITEMS} deliveries, each under its own idempotency key and
   * with its own outcome: one bad item never fails the others. Everything is checked first; then
   * all new rows are written in ONE transaction, so a database failure writes nothing (503, and
   * the whole request can be retried: its keys make it idempotent). Workflow starts are kicked
   * after the commit and paced like single POSTs.
   *
   * <p>An item whose key appeared earlier in the same batch is {@code replayed} (same delivery)
   * when its body is the same as that earlier item's and the earlier item was not rejected;
   * otherwise it is {@code rejected} as idempotency-key-reused.
   */
  public BatchViews.Result acceptBatch(ApiKeyPrincipal caller, BatchViews.Request batch) {
    List<JsonNode> items = batch == null ? null : batch.items();
    if (items == null || items.isEmpty() || items.size() > BatchViews.MAX_ITEMS) {
      throw ApiProblem.validation("items", "must have 1 to " + BatchViews.MAX_ITEMS
          + " entries" + (items == null ? "" : " (got " + items.size() + ")")
          + "; split larger runs into several requests");
    }
    String tenant = caller.tenantId();
    int n = items.size();
    BatchViews.ItemResult[] results = new BatchViews.ItemResult[n];
    String[] keys = new String[n];
    Parsed[] parsed = new Parsed[n];
    // Index of the first item under each key: later ones are settled against it.
    Map<String, Integer> firstByKey = new HashMap<>();

    for (int i = 0; i < n; i++) {
      JsonNode node = items.get(i);
      JsonNode key = node == null ? null : node.get("idempotencyKey");
      keys[i] = key != null && key.isString() ? key.asString() : null;
      try {
        BatchViews.Item item = bind(node);
        parsed[i] = parse(tenant, item.idempotencyKey(), item.body(), "idempotencyKey");
        keys[i] = parsed[i].key();
      } catch (ApiProblem problem) {
        results[i] = BatchViews.ItemResult.rejected(i, keys[i], problem);
      }
      if (keys[i] != null) {
        // Even a rejected first item holds its key: a repeat of it is settled against it.
        firstByKey.putIfAbsent(keys[i], i);
      }
    }

    List<Integer> firsts = firstByKey.values().stream().filter(i -> parsed[i] != null).toList();
    Map<String, DeliveryRecord> known = deliveries.findByKeys(tenant,
        firsts.stream().map(i -> parsed[i].key()).toList());
    References references = new References(tenant);
    List<Integer> toWrite = new ArrayList<>();
    for (int i : firsts) {
      Parsed p = parsed[i];
      DeliveryRecord earlier = known.get(p.key());
      try {
        if (earlier != null) {
          results[i] = replayOrReject(i, p, new AcceptOutcome.Duplicate(earlier));
        } else {
          checkSemantics(p, references);
          toWrite.add(i);
        }
      } catch (ApiProblem problem) {
        results[i] = BatchViews.ItemResult.rejected(i, p.key(), problem);
      }
    }

    toWrite.sort(null);
    List<AcceptOutcome> written = write(tenant, toWrite.stream().map(i -> parsed[i]).toList());
    List<DeliveryRecord> created = new ArrayList<>();
    for (int w = 0; w < toWrite.size(); w++) {
      int i = toWrite.get(w);
      AcceptOutcome outcome = written.get(w);
      if (outcome instanceof AcceptOutcome.Created) {
        created.add(outcome.record());
        results[i] = BatchViews.ItemResult.accepted(i, parsed[i].key(), outcome.record().id());
      } else {
        // Another request took the key between the read and the write.
        results[i] = replayOrReject(i, parsed[i], outcome);
      }
    }

    for (int i = 0; i < n; i++) {
      if (results[i] == null) {
        results[i] = settleRepeat(i, parsed[i], firstByKey.get(parsed[i].key()), parsed, results);
      }
    }
    kicker.kick(created);
    return BatchViews.Result.of(List.of(results));
  }

  /** An item (a JSON object) bound like a single POST's body; a binding error names the field. */
  private BatchViews.Item bind(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new ApiProblem(ProblemType.MALFORMED_REQUEST,
          "The item is not a JSON object; send the fields of a single POST plus idempotencyKey");
    }
    try {
      return json.treeToValue(node, BatchViews.Item.class);
    } catch (JacksonException e) {
      throw ApiProblem.validation(ProblemHandler.path(e), ProblemHandler.fieldMessage(e));
    }
  }

  private BatchViews.ItemResult replayOrReject(int i, Parsed p, AcceptOutcome outcome) {
    if (outcome instanceof AcceptOutcome.Conflict || !outcome.record().requestHash().equals(p.hash())) {
      return BatchViews.ItemResult.rejected(i, p.key(), keyReused(outcome.record()));
    }
    return BatchViews.ItemResult.replayed(i, p.key(), outcome.record().id());
  }

  /** A later item under a key an earlier item of this batch already used. */
  private static BatchViews.ItemResult settleRepeat(int i, Parsed p, int first, Parsed[] parsed,
      BatchViews.ItemResult[] results) {
    BatchViews.ItemResult earlier = results[first];
    if (!BatchViews.ItemResult.REJECTED.equals(earlier.outcome())
        && parsed[first] != null && parsed[first].hash().equals(p.hash())) {
      return BatchViews.ItemResult.replayed(i, p.key(), earlier.deliveryId());
    }
    String why = BatchViews.ItemResult.REJECTED.equals(earlier.outcome())
        ? "which was rejected" : "with a different request";
    return BatchViews.ItemResult.rejected(i, p.key(), new ApiProblem(
        ProblemType.IDEMPOTENCY_KEY_REUSED,
        "items[" + i + "] repeats the idempotencyKey of items[" + first + "], " + why
            + "; give each delivery its own key"));
  }

  /** The batch's one write transaction; any failure means nothing was written. */
  private List<AcceptOutcome> write(String tenant, List<Parsed> items) {
    List<NewDelivery> rows = items.stream().map(Parsed::row).toList();
    try {
      return deliveries.acceptAll(tenant, rows, properties.starter().claim(),
          quotaCharge(tenant, items));
    } catch (QuotaExceededException e) {
      // Counted per item: a batch that does not fit is refused whole, nothing written.
      throw limits.quotaExceeded(e);
    } catch (JdbiException e) {
      if (ProblemHandler.isDatabaseUnavailable(e)) {
        log.warn("database unavailable while writing a batch of {}: {}", rows.size(), e.toString());
      } else {
        log.error("writing a batch of {} deliveries failed; nothing was written", rows.size(), e);
      }
      throw ApiProblem.unavailable("The batch could not be stored and nothing of it was written; "
          + "retry the whole request (its idempotency keys make a retry safe)", 5);
    }
  }

  /**
   * Counts the deliveries the acceptance really inserts against the tenant's delivery quotas, in
   * its transaction: each delivery once on every channel it may use (its {@code channels}, or
   * EMAIL when none are given), whether or not it ends up sent on it.
   */
  private AcceptCharge quotaCharge(String tenant, List<Parsed> items) {
    if (!limits.enabled()) {
      return AcceptCharge.NONE;
    }
    Map<String, ChannelQuota> quotas = limits.limits(tenant).quotas();
    Map<String, Parsed> byId = new HashMap<>();
    items.forEach(p -> byId.put(p.id(), p));
    return (h, inserted) -> {
      Map<String, Long> counts = new HashMap<>();
      for (NewDelivery d : inserted) {
        List<Channel> channels = byId.get(d.id()).request().channels();
        for (Channel c : channels == null ? List.of(Channel.EMAIL) : channels) {
          counts.merge(c.name(), 1L, Long::sum);
        }
      }
      QuotaRepository.charge(h, tenant, counts, quotas, clock.instant());
    };
  }

  /** A request whose key and body are well-formed: the row it would write. */
  record Parsed(NewDelivery row, CreateDeliveryRequest.Valid request) {
    String tenantId() {
      return row.tenantId();
    }

    String id() {
      return row.id();
    }

    String key() {
      return row.idempotencyKey();
    }

    String hash() {
      return row.requestHash();
    }
  }

  /** Syntax checks of key and body (400 naming every bad field), then the canonical row. */
  private Parsed parse(String tenant, String idempotencyKey, CreateDeliveryRequest body,
      String keyField) {
    Checks checks = new Checks();
    if (idempotencyKey == null || idempotencyKey.isEmpty()) {
      checks.add(keyField, "is required");
    } else if (!Ids.IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
      checks.add(keyField, "must be " + Ids.IDEMPOTENCY_KEY_DESCRIPTION);
    }
    CreateDeliveryRequest.Valid request = body.validate(checks);
    checks.throwIfAny();

    String canonical = CanonicalJson.write(request.canonical());
    if (canonical.getBytes(StandardCharsets.UTF_8).length > MAX_REQUEST_BYTES) {
      throw ApiProblem.validation("variables",
          "the request is larger than " + MAX_REQUEST_BYTES / 1024 + " KB; attach large content as documents");
    }
    String hash = CanonicalJson.sha256(canonical);
    String id = DeliveryIds.deliveryId(tenant, idempotencyKey);
    return new Parsed(new NewDelivery(id, tenant, idempotencyKey, hash, canonical,
        request.recipientId(), request.purpose(), request.templateId(),
        DeliveryStatus.ACCEPTED.name()), request);
  }

  /** What is checked only for a new delivery: the deadline is ahead, the references exist. */
  private void checkSemantics(Parsed parsed, References references) {
    if (parsed.request().deadline() != null
        && !parsed.request().deadline().isAfter(clock.instant())) {
      // Well-formed but not usable now: 422, like an unknown reference (a 400 is malformed).
      throw new ApiProblem(ProblemType.UNPROCESSABLE_VALUE, "The deadline has passed",
          List.of(new FieldProblem("deadline", "must be in the future (it was "
              + parsed.request().deadline() + "; now is " + clock.instant() + ")")),
          HttpHeaders.EMPTY);
    }
    references.check(parsed.request());
  }

  private Acceptance afterAccept(AcceptOutcome outcome, String hash) {
    DeliveryRecord record = outcome.record();
    if (outcome instanceof AcceptOutcome.Conflict || !record.requestHash().equals(hash)) {
      throw keyReused(record);
    }
    if (outcome instanceof AcceptOutcome.Created) {
      // After the commit, never before: a started workflow always has its row.
      kicker.kick(record);
    }
    // A replay of a row not started yet changes nothing: its kick or the sweeper has it.
    return new Acceptance(record, outcome instanceof AcceptOutcome.Created);
  }

  private static ApiProblem keyReused(DeliveryRecord record) {
    return new ApiProblem(ProblemType.IDEMPOTENCY_KEY_REUSED,
        "This Idempotency-Key was already used for a different request (delivery "
            + record.id() + "); use a new key for a new request");
  }

  /**
   * Existence checks of a tenant's recipients, templates and documents, each looked up once per
   * request: a billing batch names the same template a thousand times.
   */
  private final class References {
    private final String tenant;
    private final Map<String, Boolean> recipientsSeen = new HashMap<>();
    private final Map<String, Boolean> templatesSeen = new HashMap<>();
    private final Map<String, Boolean> documentsSeen = new HashMap<>();

    References(String tenant) {
      this.tenant = tenant;
    }

    void check(CreateDeliveryRequest.Valid request) {
      List<FieldProblem> unknown = new ArrayList<>();
      if (!recipientsSeen.computeIfAbsent(request.recipientId(),
          r -> recipients.exists(tenant, r))) {
        unknown.add(new FieldProblem("recipientId", "no recipient '" + request.recipientId() + "'"));
      }
      if (!templatesSeen.computeIfAbsent(request.templateId(),
          t -> templates.find(tenant, t).isPresent())) {
        unknown.add(new FieldProblem("templateId", "no template '" + request.templateId() + "'"));
      }
      for (int i = 0; i < request.documentIds().size(); i++) {
        String doc = request.documentIds().get(i);
        if (!documentsSeen.computeIfAbsent(doc, d -> documents.findMeta(tenant, d).isPresent())) {
          unknown.add(new FieldProblem("documentIds[" + i + "]", "no document '" + doc + "'"));
        }
      }
      if (!unknown.isEmpty()) {
        throw new ApiProblem(ProblemType.UNKNOWN_REFERENCE,
            "Unknown " + String.join(", ", unknown.stream().map(FieldProblem::field).toList()),
            unknown, HttpHeaders.EMPTY);
      }
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
    // O(this delivery's events): each row's HMAC covers its content and the prev_hash it stores,
    // so checking the rows alone shows an edit; the whole chain (deletions, truncation) is the
    // scheduled verifier's job, which signs the checkpoints reported here.
    var events = audit.forDelivery(caller.tenantId(), id);
    var broken = audit.checkRows(events);
    long newest = events.stream().mapToLong(AuditRecord::chainSeq).max().orElse(0);
    var checkpoint = broken.isPresent() || events.isEmpty() ? null
        : audit.checkpointCovering(caller.tenantId(), newest).orElse(null);
    return new DeliveryViews.AuditTrail(id, broken.isEmpty(),
        events.stream().map(DeliveryViews.AuditEvent::of).toList(),
        DeliveryViews.Checkpoint.of(checkpoint), broken.map(b -> b.chainSeq()).orElse(null));
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
