package io.mnemo4j.cli;

import io.mnemo4j.ConflictException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Marks a data directory as served: {@code mnemo serve} holds an OS file lock on {@code
 * <dataDir>/serve.lock} (naming its process id and URL) for as long as it runs, so that another
 * command failing on a tenant the server holds can say what is going on and what to do, and a
 * second server on the same directory is refused. The lock goes with the process, so a killed
 * server leaves nothing stale behind. Not thread-safe; one per process.
 */
final class ServeLock implements AutoCloseable {
  /** The lock file's name inside the data directory. */
  static final String FILE = "serve.lock";

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private ServeLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock of {@code dataDir} for a server, or refuses when another server holds it. */
  static ServeLock acquire(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      Files.createDirectories(dataDir);
      FileChannel channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException inThisProcess) {
        lock = null;
      }
      if (lock == null) {
        String who = read(channel);
        channel.close();
        throw new ConflictException(
            "the data dir "
                + dataDir.toAbsolutePath()
                + " is already served by "
                + describe(who)
                + "; stop that server first, or serve another --data-dir");
      }
      ServeLock l = new ServeLock(file, channel, lock);
      l.announce("starting");
      return l;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + file, e);
    }
  }

  /** Records where the server listens, for other commands' messages. */
  void announce(String url) {
    try {
      byte[] text =
          (ProcessHandle.current().pid() + " " + url + "\n").getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(text), 0);
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Who serves {@code dataDir} right now ({@code mnemo serve (pid 123, http://127.0.0.1:8080)}), if
   * a server holds its lock.
   */
  static Optional<String> holder(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock probe;
      try {
        probe = channel.tryLock();
      } catch (OverlappingFileLockException inThisProcess) {
        return Optional.of(describe(read(channel)));
      }
      if (probe == null) {
        return Optional.of(describe(read(channel)));
      }
      probe.release();
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String read(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(512);
    int n = channel.read(buf, 0);
    return n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.UTF_8).strip();
  }

  private static String describe(String content) {
    String[] parts = content.split(" ", 2);
    if (parts.length == 2 && parts[0].matches("[0-9]{1,10}")) {
      return "a running mnemo serve (pid " + parts[0] + ", " + parts[1] + ")";
    }
    return "a running mnemo serve";
  }

  /** Releases the lock and removes the file. */
  @Override
  public void close() {
    try {
      // Removed while still locked, so a server starting now never has its fresh file deleted.
      Files.deleteIfExists(file);
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
  }
}
