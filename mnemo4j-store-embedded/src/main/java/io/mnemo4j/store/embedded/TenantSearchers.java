package io.mnemo4j.store.embedded;

import java.io.IOException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.SearcherManager;
import org.jspecify.annotations.Nullable;

/**
 * A tenant's searchers, as Lucene's {@link SearcherManager}, except that the reader it starts from
 * may be a plain commit reader that later refreshes from an index writer: most opened tenants are
 * only searched, and creating an {@link IndexWriter} was half the cost of opening one, so the
 * writer is created at the first write ({@link TenantIndex.Opened#writer}) and handed over with
 * {@link #useWriter}. Until then a refresh has nothing to show (nothing but the writer changes the
 * index while the tenant is open); from then on it reads the writer's changes, as a manager built
 * on the writer would. Thread-safe, as {@link ReferenceManager}.
 */
final class TenantSearchers extends ReferenceManager<IndexSearcher> {
  private volatile @Nullable IndexWriter writer;

  /**
   * Searchers starting from {@code reader}, refreshing from {@code writer} when it is not null.
   * Takes over the reader's reference.
   */
  TenantSearchers(DirectoryReader reader, @Nullable IndexWriter writer) throws IOException {
    this.writer = writer;
    this.current = SearcherManager.getSearcher(IndexSchema.SEARCHERS, reader, null);
  }

  /**
   * Refreshes from {@code writer} from now on: the next refresh shows everything it holds,
   * uncommitted changes included.
   */
  void useWriter(IndexWriter writer) {
    this.writer = writer;
  }

  @Override
  protected void decRef(IndexSearcher reference) throws IOException {
    reference.getIndexReader().decRef();
  }

  @Override
  protected @Nullable IndexSearcher refreshIfNeeded(IndexSearcher reference) throws IOException {
    IndexReader old = reference.getIndexReader();
    DirectoryReader reader = (DirectoryReader) old;
    IndexWriter w = writer;
    // From a commit reader, the writer variant opens the writer's first near-real-time reader;
    // from then on it returns null when the writer holds nothing new, as SearcherManager does.
    DirectoryReader fresh =
        w == null
            ? DirectoryReader.openIfChanged(reader)
            : DirectoryReader.openIfChanged(reader, w);
    return fresh == null ? null : SearcherManager.getSearcher(IndexSchema.SEARCHERS, fresh, old);
  }

  @Override
  protected boolean tryIncRef(IndexSearcher reference) {
    return reference.getIndexReader().tryIncRef();
  }

  @Override
  protected int getRefCount(IndexSearcher reference) {
    return reference.getIndexReader().getRefCount();
  }
}
