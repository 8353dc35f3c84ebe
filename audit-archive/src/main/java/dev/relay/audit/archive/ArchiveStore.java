package dev.relay.audit.archive;

import java.util.List;
import java.util.Optional;

/**
 * Where the off-site copy of the audit trail lives: an S3 bucket ({@link S3ArchiveStore}) or a
 * local directory (a download of the bucket, {@link DirectoryArchiveStore}). Append-only: an
 * object is written once and never replaced.
 */
public interface ArchiveStore {

  /**
   * Writes {@code content} under {@code key} unless an object is there already. Writing the same
   * bytes again (a retried export) is fine; different bytes under an existing key are refused
   * ({@link ArchiveConflictException}): the archive is never rewritten.
   */
  void putIfAbsent(String key, byte[] content);

  /** The object's bytes, or empty when there is none. */
  Optional<byte[]> get(String key);

  /** The keys under {@code prefix}, in lexical order. */
  List<String> list(String prefix);

  /** Where this store is, for messages. */
  String describe();

  /** An object exists with other content than what was to be written. */
  final class ArchiveConflictException extends IllegalStateException {
    public ArchiveConflictException(String message) {
      super(message);
    }
  }
}
