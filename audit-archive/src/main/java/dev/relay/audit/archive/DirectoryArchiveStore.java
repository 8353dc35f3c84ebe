package dev.relay.audit.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The archive as files under a directory, one file per object key (a bucket downloaded with
 * {@code aws s3 sync s3://bucket dir}, or an export written straight to disk).
 */
public final class DirectoryArchiveStore implements ArchiveStore {
  private final Path root;

  public DirectoryArchiveStore(Path root) {
    this.root = root;
  }

  @Override
  public void putIfAbsent(String key, byte[] content) {
    Path target = resolve(key);
    try {
      Files.createDirectories(target.getParent());
      if (!Files.exists(target)) {
        Path tmp = Files.createTempFile(target.getParent(), ".part-", ".tmp");
        Files.write(tmp, content);
        try {
          Files.move(tmp, target); // no REPLACE_EXISTING: an existing object stays as it is
        } catch (FileAlreadyExistsException e) {
          Files.deleteIfExists(tmp);
        }
      }
      byte[] stored = Files.readAllBytes(target);
      if (!Arrays.equals(stored, content)) {
        throw new ArchiveConflictException("archive object " + key + " in " + root
            + " already exists with different content: the archive is append-only");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write archive object " + target, e);
    }
  }

  @Override
  public Optional<byte[]> get(String key) {
    try {
      return Optional.of(Files.readAllBytes(resolve(key)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read archive object " + key + " in " + root, e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(k -> k.startsWith(prefix) && !k.contains("/.part-"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  @Override
  public String describe() {
    return "directory " + root;
  }

  private Path resolve(String key) {
    Path p = root.resolve(key).normalize();
    if (!p.startsWith(root.normalize())) {
      throw new IllegalArgumentException("archive key " + key + " leaves " + root);
    }
    return p;
  }
}
