package dev.relay.audit.archive;

import java.net.URI;

/**
 * Where the archive bucket is and how to reach it.
 *
 * @param endpoint the S3 endpoint; blank for AWS itself (then {@code region} picks it)
 * @param pathStyle {@code http://host/bucket/key} addressing, which most S3-compatible servers
 *     (SeaweedFS, MinIO, Ceph) need
 * @param accessKey blank: the AWS SDK's default credentials chain (environment, profile, role)
 * @param prefix the folder inside the bucket, e.g. {@code relay-audit}
 * @param retentionMode {@code COMPLIANCE}, {@code GOVERNANCE} or blank; with
 *     {@code retentionDays > 0} every object is written with that object-lock retention when the
 *     bucket has object lock enabled (otherwise the bucket's default retention, if any, applies)
 */
public record S3Settings(String endpoint, String region, String bucket, String prefix,
    boolean pathStyle, String accessKey, String secretKey, String retentionMode,
    int retentionDays) {

  public S3Settings {
    if (bucket == null || bucket.isBlank()) {
      throw new IllegalArgumentException("the audit archive needs a bucket"
          + " (relay.audit.export.bucket / --bucket)");
    }
    if (endpoint != null && !endpoint.isBlank()) {
      URI.create(endpoint); // fails early on a malformed endpoint
    }
    region = region == null || region.isBlank() ? "us-east-1" : region;
    prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
  }
}
