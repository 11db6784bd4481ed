package io.mnemo4j.store.embedded;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Recursive deletion that counts what it removed. Symbolic links are removed, never followed. */
final class FileTrees {
  private FileTrees() {}

  /** Files and bytes removed. */
  record Removed(long files, long bytes) {}

  static Removed deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return new Removed(0, 0);
    }
    long[] counts = new long[2];
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            try {
              Files.delete(file);
              counts[0]++;
              counts[1] += attrs.size();
            } catch (NoSuchFileException gone) {
              // Removed meanwhile (SQLite drops its -wal and -shm files on close): nothing left to
              // count.
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException failed)
              throws IOException {
            if (failed != null) {
              throw failed;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
    return new Removed(counts[0], counts[1]);
  }
}
