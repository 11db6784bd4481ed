package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Hit;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.embed.onnx.OnnxEmbedder;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java quick start, kept compiling and running (only the data directory differs). */
class QuickStartTest {
  @TempDir Path tmp;

  @Test
  void quickStart_asInReadme_works() {
    Path data = tmp.resolve("data");
    List<Hit> hits;
    PurgeReceipt receipt;
    // @start region="quick-start"
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(data) // <dataDir>/<region>/<tenant>/ per tenant
            .backend(EmbeddedBackend.create()) // SQLite (truth) + Lucene (index), in-process
            .embedder(OnnxEmbedder.bgeSmallEnV15Q()) // local ONNX model from a Maven jar
            .build()) {
      TenantMemory acme = mnemo.tenant("acme"); // the only door into a tenant
      acme.add(List.of(Message.user("Our CRM is called Atlas")), Scope.tenantWide());
      acme.add(List.of(Message.user("I prioritise API performance")), Scope.user("alice"));
      hits =
          acme.search(
              "what CRM do we use?", Search.in(Scope.user("alice")).withTenantWide().limit(5));
      receipt = mnemo.purgeTenant("acme"); // offboarding: every byte, with a receipt
    }
    // @end
    assertThat(hits)
        .extracting(h -> h.memory().text())
        .first()
        .isEqualTo("Our CRM is called Atlas");
    assertThat(receipt.memories()).isEqualTo(2);
  }
}
