package dev.relay.worker;

import dev.relay.audit.archive.S3Settings;
import dev.relay.store.audit.AuditKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sealed audit trail ({@code relay.audit.*}): the HMAC keys, the scheduled verifier and the
 * off-site export.
 *
 * @param keyFile a properties file with {@code current=<id>} and {@code key.<id>=<base64>} lines
 *     (a mounted secret); when set it replaces {@code keys} and {@code currentKeyId}
 * @param keys base64 secrets (32+ bytes) by key ID; keep retired keys here so their rows verify
 * @param currentKeyId the key new rows and checkpoints are signed with
 */
@ConfigurationProperties("relay.audit")
public record AuditProperties(
    String keyFile,
    Map<String, String> keys,
    @DefaultValue(AuditKeys.LOCAL_DEV_KEY_ID) String currentKeyId,
    @DefaultValue Verifier verifier,
    @DefaultValue Export export) {

  public AuditProperties {
    keys = keys == null || keys.isEmpty()
        ? Map.of(AuditKeys.LOCAL_DEV_KEY_ID, AuditKeys.LOCAL_DEV_SECRET) : Map.copyOf(keys);
  }

  public AuditKeys auditKeys() {
    return keyFile != null && !keyFile.isBlank() ? AuditKeys.fromFile(Path.of(keyFile))
        : AuditKeys.of(keys, currentKeyId);
  }

  /**
   * @param enabled create the Temporal Schedule at start (and run its workflow on this worker)
   * @param interval time between runs
   * @param maxRowsPerTenant rows verified per tenant in one run (the rest waits for the next)
   */
  public record Verifier(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("5m") Duration interval,
      @DefaultValue("20000") int maxRowsPerTenant) {}

  /**
   * The off-site copy, in an S3 bucket. {@code retentionMode} COMPLIANCE or GOVERNANCE with
   * {@code retentionDays} > 0 writes every object with that object-lock retention when the bucket
   * has object lock enabled. {@code createBucket}: create the bucket at start if missing (local
   * and compose stacks; in production the bucket, with object lock, is made beforehand).
   */
  public record Export(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("http://127.0.0.1:8333") String endpoint,
      @DefaultValue("us-east-1") String region,
      @DefaultValue("relay-audit") String bucket,
      @DefaultValue("") String prefix,
      @DefaultValue("true") boolean pathStyle,
      String accessKey,
      String secretKey,
      @DefaultValue("") String retentionMode,
      @DefaultValue("0") int retentionDays,
      @DefaultValue("10000") int maxSegmentRows,
      @DefaultValue("20") int maxSegmentsPerRun,
      @DefaultValue("false") boolean createBucket) {

    public S3Settings s3() {
      return new S3Settings(endpoint, region, bucket, prefix, pathStyle, accessKey, secretKey,
          retentionMode, retentionDays);
    }
  }
}
