package io.mnemo4j.store.embedded;

import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.testing.FilterPropertiesContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.PropertyDefaults;
import org.jspecify.annotations.Nullable;

/** The filter property suite on the embedded store, in a directory of its own. */
@PropertyDefaults(tries = 60)
class EmbeddedFilterPropertiesTest extends FilterPropertiesContractTest {
  private @Nullable Path root;

  @Override
  protected MemoryStore openStore() {
    try {
      root = Files.createTempDirectory("mnemo-filter-props");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return EmbeddedStore.open(root);
  }

  @Override
  protected void dispose() {
    if (root != null) {
      try {
        FileTrees.deleteRecursively(root);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
