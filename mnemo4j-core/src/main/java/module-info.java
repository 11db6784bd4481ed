/**
 * Mnemo4j's core: the memory API ({@code io.mnemo4j}), the filter language, the language-model SPI
 * and the storage and embedder SPI. The engine ({@code io.mnemo4j.internal...}) is not exported;
 * the stores alone see the part they share with it.
 */
module io.mnemo4j.core {
  requires transitive com.fasterxml.jackson.databind;
  requires transitive org.jspecify;
  // Only the row mapping shared with the JDBC stores (io.mnemo4j.internal.store) uses java.sql.
  requires static java.sql;

  exports io.mnemo4j;
  exports io.mnemo4j.filter;
  exports io.mnemo4j.llm;
  exports io.mnemo4j.spi;
  exports io.mnemo4j.transfer;
  exports io.mnemo4j.internal.store to
      io.mnemo4j.store.embedded,
      io.mnemo4j.store.postgres;
}
