/**
 * The PostgreSQL store: a schema per tenant with its own pgvector HNSW and full-text indexes,
 * row-level security as a second wall, and a catalog shareable by several servers.
 */
module io.mnemo4j.store.postgres {
  requires transitive io.mnemo4j.core;
  requires transitive java.sql;
  requires com.zaxxer.hikari;
  requires org.postgresql.jdbc;

  exports io.mnemo4j.store.postgres;
}
