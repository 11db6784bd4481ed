/**
 * The embedded store, Mnemo4j's default: per tenant, a SQLite database (the truth) and a Lucene
 * index (HNSW vectors, BM25 text, scope and metadata fields) in a directory of its own.
 */
module io.mnemo4j.store.embedded {
  requires transitive io.mnemo4j.core;
  requires java.sql;
  requires org.apache.lucene.core;
  requires org.apache.lucene.analysis.common;
  requires org.xerial.sqlitejdbc;

  exports io.mnemo4j.store.embedded;
}
