/**
 * The default storage backend: per tenant, one SQLite database (the source of truth) and one Lucene
 * index derived from it. Entry points: {@link io.mnemo4j.store.embedded.EmbeddedBackend}, {@link
 * io.mnemo4j.store.embedded.EmbeddedStore} and {@link io.mnemo4j.store.embedded.SqliteCatalog}.
 */
@NullMarked
package io.mnemo4j.store.embedded;

import org.jspecify.annotations.NullMarked;
