package io.mnemo4j.mcp;

import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import io.mnemo4j.testing.HashingEmbedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A real Mnemo (embedded store, hashing embedder) in a fresh temporary directory. */
final class TestMemory implements AutoCloseable {
  final Path dir;
  final Mnemo mnemo;

  TestMemory() {
    try {
      dir = Files.createTempDirectory("mnemo-mcp-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    mnemo = open(dir);
  }

  static Mnemo open(Path dir) {
    return Mnemo.builder()
        .dataDir(dir)
        .embedder(new HashingEmbedder())
        .backend(EmbeddedBackend.create())
        .autoCreateTenants(false)
        .build();
  }

  TenantMemory tenant(String id) {
    mnemo.admin().createTenant(id);
    return mnemo.existingTenant(id);
  }

  @Override
  public void close() {
    mnemo.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
