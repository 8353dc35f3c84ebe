package dev.relay.audit.archive;

import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archive in an S3 bucket, through the AWS SDK v2: any S3-compatible server with path-style
 * addressing and a custom endpoint (SeaweedFS locally), or AWS S3 with object lock in production.
 *
 * <p>Append-only on two levels: this class never overwrites an object (it checks first and
 * compares on a retry), and when the bucket has object lock enabled each object is also written
 * with the configured retention, so nobody (with {@code COMPLIANCE}: not even the account's root)
 * can delete or replace it before the retention ends.
 */
public final class S3ArchiveStore implements ArchiveStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(S3ArchiveStore.class);

  private final S3Client s3;
  private final S3Settings settings;
  private volatile Boolean objectLock;

  public S3ArchiveStore(S3Settings settings) {
    this.settings = settings;
    S3ClientBuilder b = S3Client.builder()
        .region(Region.of(settings.region()))
        .forcePathStyle(settings.pathStyle())
        // Checksums only where S3 requires them: S3-compatible servers differ in the newer
        // trailing-checksum encodings; Content-MD5 below covers integrity on every server.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(60)));
    if (settings.endpoint() != null && !settings.endpoint().isBlank()) {
      b.endpointOverride(URI.create(settings.endpoint()));
    }
    b.credentialsProvider(settings.accessKey() == null || settings.accessKey().isBlank()
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(
            AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())));
    this.s3 = b.build();
  }

  /** Creates the bucket if it does not exist (with object lock when {@code objectLock}). */
  public void ensureBucket(boolean withObjectLock) {
    try {
      s3.headBucket(r -> r.bucket(settings.bucket()));
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw e;
      }
      s3.createBucket(r -> {
        r.bucket(settings.bucket());
        if (withObjectLock) {
          r.objectLockEnabledForBucket(true);
        }
      });
      log.info("Created the audit archive bucket {}", settings.bucket());
    }
  }

  @Override
  public void putIfAbsent(String key, byte[] content) {
    String full = full(key);
    Optional<byte[]> existing = get(key);
    if (existing.isPresent()) {
      if (!Arrays.equals(existing.get(), content)) {
        throw new ArchiveConflictException("archive object s3://" + settings.bucket() + "/" + full
            + " already exists with different content: the archive is append-only");
      }
      return;
    }
    PutObjectRequest.Builder put = PutObjectRequest.builder()
        .bucket(settings.bucket()).key(full)
        .contentType(key.endsWith(".jsonl") ? "application/x-ndjson" : "application/json")
        .contentMD5(md5(content));
    if (retention()) {
      put.objectLockMode(ObjectLockMode.fromValue(settings.retentionMode().toUpperCase()))
          .objectLockRetainUntilDate(Instant.now().plus(Duration.ofDays(settings.retentionDays())));
    }
    s3.putObject(put.build(), RequestBody.fromBytes(content));
  }

  @Override
  public Optional<byte[]> get(String key) {
    try {
      return Optional.of(s3.getObjectAsBytes(r -> r.bucket(settings.bucket()).key(full(key)))
          .asByteArray());
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<String> list(String prefix) {
    String strip = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
    return s3.listObjectsV2Paginator(r -> r.bucket(settings.bucket()).prefix(full(prefix)))
        .contents().stream()
        .map(S3Object::key)
        .map(k -> k.substring(strip.length()))
        .sorted()
        .toList();
  }

  @Override
  public String describe() {
    return "s3://" + settings.bucket() + "/" + settings.prefix()
        + (settings.endpoint() == null || settings.endpoint().isBlank() ? ""
            : " at " + settings.endpoint());
  }

  /** Whether puts carry an object-lock retention: configured, and the bucket supports it. */
  private boolean retention() {
    if (settings.retentionDays() <= 0 || settings.retentionMode() == null
        || settings.retentionMode().isBlank()) {
      return false;
    }
    Boolean known = objectLock;
    if (known == null) {
      try {
        known = s3.getObjectLockConfiguration(r -> r.bucket(settings.bucket()))
            .objectLockConfiguration().objectLockEnabled() == ObjectLockEnabled.ENABLED;
      } catch (S3Exception e) {
        known = false; // no configuration (or a server without object lock)
      }
      if (!known) {
        log.warn("The audit archive bucket {} has no object lock: objects are written without"
            + " retention, so the bucket's own policy must keep them from deletion",
            settings.bucket());
      }
      objectLock = known;
    }
    return known;
  }

  private String full(String key) {
    return settings.prefix().isEmpty() ? key : settings.prefix() + "/" + key;
  }

  private static String md5(byte[] content) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required by the JDK", e);
    }
  }

  @Override
  public void close() {
    s3.close();
  }
}
