package dev.relay.audit.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.store.audit.AuditCheckpoint;
import dev.relay.store.audit.AuditRecord;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The archive's layout and file formats, per tenant:
 *
 * <pre>
 * {tenant}/segments/{from:20}-{to:20}.jsonl   rows from..to (chain_seq), one JSON object a line
 * {tenant}/checkpoints/{chain_seq:20}.json    the signed checkpoint at that row
 * </pre>
 *
 * Every segment ends at a checkpoint. A row line carries the row's full content, its prev_hash,
 * hash and key ID: enough to recompute the chain with the key and nothing else.
 */
public final class ArchiveFormat {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
  private static final Pattern SEGMENT = Pattern.compile(".*/segments/(\\d{20})-(\\d{20})\\.jsonl");
  private static final Pattern CHECKPOINT = Pattern.compile(".*/checkpoints/(\\d{20})\\.json");

  private ArchiveFormat() {}

  /** One exported row. Times are ISO-8601 instants, as hashed. */
  public record RowLine(long chainSeq, String tenantId, String deliveryId, Long sequence,
      String occurredAt, String recordedAt, String actor, String step, String outcome,
      String detail, String status, String channel, Integer attempts, Integer consentVersion,
      String provider, String providerMessageId, String prevHash, String hash, String keyId) {

    static RowLine of(AuditRecord r) {
      return new RowLine(r.chainSeq(), r.tenantId(), r.deliveryId(), r.sequence(),
          r.occurredAt().toString(), r.recordedAt() == null ? null : r.recordedAt().toString(),
          r.actor(), r.step(), r.outcome(), r.detail(), r.status(), r.channel(), r.attempts(),
          r.consentVersion(), r.provider(), r.providerMessageId(), r.prevHash(), r.hash(),
          r.keyId());
    }

    AuditRecord toRecord() {
      return new AuditRecord(chainSeq, tenantId, deliveryId, sequence, Instant.parse(occurredAt),
          recordedAt == null ? null : Instant.parse(recordedAt), actor, step, outcome, detail,
          status, channel, attempts, consentVersion, provider, providerMessageId, prevHash, hash,
          keyId);
    }
  }

  /** One exported checkpoint. */
  public record CheckpointDoc(String tenantId, long chainSeq, String hash, String createdAt,
      String keyId, String signature) {

    static CheckpointDoc of(AuditCheckpoint c) {
      return new CheckpointDoc(c.tenantId(), c.chainSeq(), c.hash(), c.createdAt().toString(),
          c.keyId(), c.signature());
    }

    AuditCheckpoint toCheckpoint() {
      return new AuditCheckpoint(tenantId, chainSeq, hash, Instant.parse(createdAt), keyId,
          signature);
    }
  }

  public static String tenantDir(String tenantId) {
    return URLEncoder.encode(tenantId, StandardCharsets.UTF_8);
  }

  public static String tenantOf(String key) {
    return URLDecoder.decode(key.substring(0, key.indexOf('/')), StandardCharsets.UTF_8);
  }

  public static String segmentKey(String tenantId, long from, long to) {
    return tenantDir(tenantId) + "/segments/" + "%020d-%020d.jsonl".formatted(from, to);
  }

  /** The start of the keys of segments that begin at row {@code from}. */
  public static String segmentPrefix(String tenantId, long from) {
    return tenantDir(tenantId) + "/segments/" + "%020d-".formatted(from);
  }

  public static String checkpointKey(String tenantId, long chainSeq) {
    return tenantDir(tenantId) + "/checkpoints/" + "%020d.json".formatted(chainSeq);
  }

  /** [from, to] from a segment key; null if {@code key} is not one. */
  public static long[] segmentRange(String key) {
    Matcher m = SEGMENT.matcher(key);
    return m.matches() ? new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))}
        : null;
  }

  public static boolean isCheckpoint(String key) {
    return CHECKPOINT.matcher(key).matches();
  }

  public static byte[] encodeRows(List<AuditRecord> rows) {
    StringBuilder out = new StringBuilder();
    for (AuditRecord r : rows) {
      out.append(write(RowLine.of(r))).append('\n');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The rows of a segment; a line that is not a row fails with its line number. */
  public static List<AuditRecord> decodeRows(String key, byte[] content) {
    List<AuditRecord> rows = new ArrayList<>();
    String[] lines = new String(content, StandardCharsets.UTF_8).split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      try {
        rows.add(JSON.readValue(lines[i], RowLine.class).toRecord());
      } catch (JsonProcessingException | RuntimeException e) {
        throw new MalformedArchiveException("line " + (i + 1) + " of " + key
            + " is not an audit row: " + e.getMessage());
      }
    }
    return rows;
  }

  public static byte[] encodeCheckpoint(AuditCheckpoint c) {
    return (write(CheckpointDoc.of(c)) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  public static AuditCheckpoint decodeCheckpoint(String key, byte[] content) {
    try {
      return JSON.readValue(content, CheckpointDoc.class).toCheckpoint();
    } catch (java.io.IOException | RuntimeException e) {
      throw new MalformedArchiveException(key + " is not a checkpoint: " + e.getMessage());
    }
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An archive object that cannot be read as what its key says it is. */
  public static final class MalformedArchiveException extends RuntimeException {
    public MalformedArchiveException(String message) {
      super(message);
    }
  }
}
