package io.mnemo4j.store.embedded;

import static io.mnemo4j.testing.TestMemories.memory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.testing.TestMemories;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability setting reaches SQLite: full by default (every commit fsynced), NORMAL only when
 * asked for, and nothing but the two documented names is accepted. That an acknowledged write
 * survives a killed process under both settings is {@link KillDurabilityTest}'s.
 */
class DurabilityTest {
  private static final int SQLITE_NORMAL = 1;
  private static final int SQLITE_FULL = 2;

  @TempDir Path dir;

  @Test
  void byDefault_everyCommitIsFsynced() {
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      assertThat(store.durability()).isEqualTo(Durability.FULL);
      assertThat(TestSecrets.synchronousMode(ts)).isEqualTo(SQLITE_FULL);
    }
    assertThat(EmbeddedBackend.create().durability()).isEqualTo(Durability.FULL);
  }

  @Test
  void processDurability_skipsTheFsyncAndStillStoresAndReopens() {
    StoredMemory m = memory("m1", "kept across a reopen", Scope.user("u"));
    try (EmbeddedStore store =
            (EmbeddedStore)
                EmbeddedBackend.create().withDurability(Durability.PROCESS).openRegion("eu", dir);
        TenantStore ts = store.open(TenantId.of("acme"))) {
      assertThat(TestSecrets.synchronousMode(ts)).isEqualTo(SQLITE_NORMAL);
      ts.write(
          new WriteBatch(
              List.of(new Change.Put(m)),
              List.of(TestMemories.add(m.memory())),
              List.of(),
              List.of()));
    }
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      assertThat(ts.get("m1")).map(s -> s.memory().text()).contains("kept across a reopen");
      assertThat(TestSecrets.synchronousMode(ts)).isEqualTo(SQLITE_FULL);
    }
  }

  @Test
  void theTwoNames_parseInAnyCaseAndWithSpaces() {
    assertThat(Durability.parse("full", "durability")).isEqualTo(Durability.FULL);
    assertThat(Durability.parse(" PROCESS ", "durability")).isEqualTo(Durability.PROCESS);
    assertThat(Durability.PROCESS.wireName()).isEqualTo("process");
  }

  @Property
  void anythingElse_isRefusedNamingTheField(@ForAll("notANameOfDurability") String value) {
    assertThatThrownBy(() -> Durability.parse(value, "config.durability"))
        .isInstanceOfSatisfying(
            InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("config.durability"))
        .hasMessageContaining("full or process");
  }

  @Provide
  Arbitrary<String> notANameOfDurability() {
    return Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(12),
            Arbitraries.of("ful", "fulll", "normal", "off", "sync", "processes", "", " "))
        .filter(
            s -> {
              String v = s.strip().toLowerCase(Locale.ROOT);
              return !v.equals("full") && !v.equals("process");
            });
  }
}
