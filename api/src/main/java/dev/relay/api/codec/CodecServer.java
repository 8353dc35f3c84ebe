package dev.relay.api.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.relay.api.config.CodecProperties;
import dev.relay.api.config.CodecServerProperties;
import dev.relay.api.config.RelayProperties;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.Checks;
import dev.relay.api.problems.FieldProblem;
import dev.relay.api.problems.ProblemType;
import dev.relay.codec.SealedPayloadCodec;
import dev.relay.contracts.DeliveryIds;
import dev.relay.store.delivery.DeliveryRepository;
import dev.relay.store.tenant.ApiKeyPrincipal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.payload.codec.PayloadCodecException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Service;

/**
 * Temporal's remote codec protocol: a JSON body {@code {"payloads":[...]}} (protobuf JSON of
 * {@code temporal.api.common.v1.Payloads}: base64 data and metadata) in, the same shape out.
 * Decoding opens what {@link SealedPayloadCodec} sealed; payloads it did not seal come back as
 * they are. Every request is logged (who, how, namespace, how many payloads, which workflows)
 * and counted ({@code relay_codec_requests_total}).
 */
@Service
public class CodecServer {
  private static final Logger log = LoggerFactory.getLogger(CodecServer.class);
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .omittingInsignificantWhitespace();

  public enum Operation { ENCODE, DECODE }

  /** Where a request came from, for the log line. */
  public record Context(CodecCaller caller, String namespace, String origin) {}

  private final SealedPayloadCodec codec;
  private final String namespace;
  private final int maxPayloads;
  private final DeliveryRepository deliveries;
  private final MeterRegistry registry;

  public CodecServer(CodecProperties codec, CodecServerProperties server, RelayProperties relay,
      DeliveryRepository deliveries, MeterRegistry registry) {
    this.codec = codec.settings().keyProvider().map(p -> new SealedPayloadCodec(p.keyring()))
        .orElse(null);
    this.namespace = relay.temporal().namespace();
    this.maxPayloads = server.maxPayloads();
    this.deliveries = deliveries;
    this.registry = registry;
  }

  public String handle(Operation operation, String body, Context context) {
    try {
      String answer = run(operation, body, context);
      count(operation, context, "ok");
      return answer;
    } catch (ApiProblem e) {
      count(operation, context, e.type() == ProblemType.FORBIDDEN ? "refused" : "invalid");
      log.warn("codec {} refused for {} (tenant {}, {}) namespace {} origin {}: {}",
          name(operation), context.caller().principal().name(), context.caller().principal().tenantId(),
          context.caller().via(), context.namespace(), context.origin(), e.getMessage());
      throw e;
    }
  }

  private String run(Operation operation, String body, Context context) {
    if (context.namespace() != null && !context.namespace().isBlank()
        && !namespace.equals(context.namespace())) {
      throw ApiProblem.validation("X-Namespace", "must be '" + namespace
          + "': this codec server seals and opens payloads of that namespace only");
    }
    Payloads payloads = parse(body);
    if (payloads.getPayloadsCount() > maxPayloads) {
      throw new ApiProblem(ProblemType.PAYLOAD_TOO_LARGE, "At most " + maxPayloads
          + " payloads per request; this one has " + payloads.getPayloadsCount());
    }
    List<Payload> in = payloads.getPayloadsList();
    Set<String> workflows = new LinkedHashSet<>();
    long sealed = in.stream().filter(SealedPayloadCodec::isSealed).count();
    List<Payload> out;
    if (operation == Operation.DECODE) {
      checkTenant(in, context.caller().principal(), workflows);
      try {
        out = sealed == 0 ? in : requireCodec().decode(in);
      } catch (PayloadCodecException e) {
        throw badPayload(e);
      }
    } else {
      out = requireCodec().encode(in);
    }
    ApiKeyPrincipal who = context.caller().principal();
    log.info("codec {} by {} (tenant {}, {}, {}) namespace {}: {} payloads ({} sealed), "
            + "workflows {}, origin {}", name(operation), who.name(), who.tenantId(),
        who.role().dbValue(), context.caller().via(), namespace, in.size(), sealed,
        workflows.isEmpty() ? "[not labelled]" : workflows, context.origin());
    registry.counter("relay.codec.payloads", "operation", name(operation)).increment(in.size());
    try {
      return PRINTER.print(Payloads.newBuilder().addAllPayloads(out).build());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print payloads", e);
    }
  }

  /**
   * A payload labelled with a delivery's workflow is opened only for an operator of that
   * delivery's tenant (another tenant's delivery is as unknown as it is on /v1).
   */
  private void checkTenant(List<Payload> payloads, ApiKeyPrincipal who, Set<String> workflows) {
    for (Payload p : payloads) {
      String workflowId = SealedPayloadCodec.isSealed(p) ? SealedPayloadCodec.workflowId(p) : null;
      if (workflowId == null || !workflows.add(workflowId)) {
        continue;
      }
      if (DeliveryIds.looksLikeDeliveryId(workflowId)
          && deliveries.find(who.tenantId(), workflowId).isEmpty()) {
        throw new ApiProblem(ProblemType.FORBIDDEN, "Payloads of workflow " + workflowId
            + " belong to a delivery this key's tenant cannot see");
      }
    }
  }

  private SealedPayloadCodec requireCodec() {
    if (codec == null) {
      throw new ApiProblem(ProblemType.TEMPORARILY_UNAVAILABLE, "Payload encryption is not "
          + "configured on this API (relay.codec.key-file or relay.codec.keys)");
    }
    return codec;
  }

  private static final java.util.regex.Pattern BASE64 =
      java.util.regex.Pattern.compile(CodecController.BASE64);
  private static final tools.jackson.databind.json.JsonMapper JSON =
      tools.jackson.databind.json.JsonMapper.builder().build();

  /**
   * Holds the body to the document's schema before protobuf reads it: protobuf JSON is lenient
   * (a number where base64 bytes belong reads as its digits' base64), the contract is not.
   */
  static void checkShape(String body) {
    tools.jackson.databind.JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (tools.jackson.core.JacksonException e) {
      throw new ApiProblem(ProblemType.MALFORMED_REQUEST, "The body is not JSON: "
          + firstLine(e.getOriginalMessage()));
    }
    Checks checks = new Checks();
    if (!root.isObject()) {
      throw ApiProblem.validation("body", "must be a JSON object {\"payloads\":[...]}");
    }
    tools.jackson.databind.JsonNode payloads = root.path("payloads");
    if (!payloads.isMissingNode() && !payloads.isNull() && !payloads.isArray()) {
      checks.add("payloads", "must be an array (or null)");
    } else if (payloads.isArray()) {
      for (int i = 0; i < payloads.size(); i++) {
        tools.jackson.databind.JsonNode p = payloads.get(i);
        String at = "payloads[" + i + "]";
        if (!p.isObject()) {
          checks.add(at, "must be an object with metadata and data");
          continue;
        }
        tools.jackson.databind.JsonNode data = p.path("data");
        if (!data.isMissingNode() && !data.isNull()
            && (!data.isString() || !BASE64.matcher(data.asString()).matches())) {
          checks.add(at + ".data", "must be base64 (or null)");
        }
        tools.jackson.databind.JsonNode metadata = p.path("metadata");
        if (!metadata.isMissingNode() && !metadata.isNull()) {
          if (!metadata.isObject()) {
            checks.add(at + ".metadata", "must be an object of base64 values (or null)");
          } else {
            for (var e : metadata.properties()) {
              if (!e.getValue().isString() || !BASE64.matcher(e.getValue().asString()).matches()) {
                checks.add(at + ".metadata." + e.getKey(), "must be base64");
              }
            }
          }
        }
      }
    }
    checks.throwIfAny();
  }

  private static Payloads parse(String body) {
    if (body == null || body.isBlank()) {
      throw new ApiProblem(ProblemType.MALFORMED_REQUEST,
          "The request body is missing: send {\"payloads\":[...]}");
    }
    checkShape(body);
    Payloads.Builder builder = Payloads.newBuilder();
    try {
      PARSER.merge(body, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new ApiProblem(ProblemType.MALFORMED_REQUEST, "The body is not {\"payloads\":[...]} "
          + "in Temporal's payload JSON (base64 data and metadata): " + firstLine(e.getMessage()));
    }
    return builder.build();
  }

  /** A payload the codec cannot open is the caller's input, not a server error. */
  static ApiProblem badPayload(PayloadCodecException e) {
    return new ApiProblem(ProblemType.VALIDATION, "A payload cannot be opened: " + e.getMessage(),
        List.of(new FieldProblem("payloads", firstLine(e.getMessage()))), HttpHeaders.EMPTY);
  }

  private void count(Operation operation, Context context, String outcome) {
    count(operation, outcome, context.caller().principal().role().dbValue());
  }

  /** Also for callers refused before they were known (role "none"). */
  void count(Operation operation, String outcome, String role) {
    Counter.builder("relay.codec.requests")
        .description("Codec server requests by operation, outcome and caller role")
        .tag("operation", name(operation))
        .tag("outcome", outcome)
        .tag("role", role)
        .register(registry)
        .increment();
  }

  private static String name(Operation operation) {
    return operation.name().toLowerCase(Locale.ROOT);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }
}
