package io.mnemo4j.store.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;

/**
 * The memory ids of search hits, read through a per-segment table of every id by doc-values
 * ordinal. Looking one id up in the doc values' terms dictionary decompresses a block of 64 ids,
 * and a search's few hundred hits land in as many blocks: that was a quarter of a hybrid search at
 * 100,000 memories in JFR. A segment never changes, so its table is decoded once, in one sequential
 * pass, and dropped when the segment's core closes; it costs about the ids' own bytes plus 4 per
 * document, on the heap, for the segments of open tenants. Thread-safe.
 */
final class SegmentIds {
  /** One segment's ids: those of ordinal {@code o} are {@code bytes[starts[o] .. starts[o+1])}. */
  private record Table(byte[] bytes, int[] starts) {
    String id(int ord) {
      // Ids match IndexSchema.ID_PATTERN: ASCII, so Latin-1 decodes them by copying.
      return new String(
          bytes, starts[ord], starts[ord + 1] - starts[ord], StandardCharsets.ISO_8859_1);
    }
  }

  private final Map<Object, Table> tables = new ConcurrentHashMap<>();

  /**
   * The hits of one segment in document order: their positions in the hits array, their
   * segment-relative documents and their memory ids.
   */
  record LeafHits(
      LeafReaderContext leaf, List<Integer> positions, List<Integer> docs, List<String> ids) {}

  /** The ids of the hits' documents, aligned with {@code hits}. */
  String[] ids(IndexSearcher searcher, ScoreDoc[] hits) throws IOException {
    String[] ids = new String[hits.length];
    for (LeafHits group : byLeaf(searcher, hits)) {
      for (int j = 0; j < group.ids().size(); j++) {
        ids[group.positions().get(j)] = group.ids().get(j);
      }
    }
    return ids;
  }

  /**
   * The hits grouped by segment, in document order within each (doc values only move forward), each
   * with its id.
   */
  List<LeafHits> byLeaf(IndexSearcher searcher, ScoreDoc[] hits) throws IOException {
    // Document in the high half, position in the low half: one primitive sort orders them.
    long[] order = new long[hits.length];
    for (int i = 0; i < hits.length; i++) {
      order[i] = ((long) hits[i].doc << 32) | i;
    }
    Arrays.sort(order);
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    List<LeafHits> out = new ArrayList<>();
    int k = 0;
    while (k < order.length) {
      LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex((int) (order[k] >>> 32), leaves));
      int end = leaf.docBase + leaf.reader().maxDoc();
      SortedDocValues values = DocValues.getSorted(leaf.reader(), IndexSchema.ID);
      @Nullable Table table = table(leaf.reader());
      LeafHits group = new LeafHits(leaf, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      for (; k < order.length && (int) (order[k] >>> 32) < end; k++) {
        int doc = (int) (order[k] >>> 32) - leaf.docBase;
        if (!values.advanceExact(doc)) {
          throw new CorruptIndexException("document without id", leaf.reader().toString());
        }
        group.positions().add((int) order[k]);
        group.docs().add(doc);
        group.ids().add(table == null ? lookup(values) : table.id(values.ordValue()));
      }
      out.add(group);
    }
    return out;
  }

  /** How many segment tables are held (for tests). */
  int size() {
    return tables.size();
  }

  private static String lookup(SortedDocValues values) throws IOException {
    return values.lookupOrd(values.ordValue()).utf8ToString();
  }

  /**
   * The segment's table, decoded on first use; null for a reader without a core cache key (then
   * each id is looked up in the terms dictionary).
   */
  private @Nullable Table table(LeafReader reader) throws IOException {
    IndexReader.CacheHelper helper = reader.getCoreCacheHelper();
    if (helper == null) {
      return null;
    }
    Object key = helper.getKey();
    Table known = tables.get(key);
    if (known != null) {
      return known;
    }
    Table decoded = decode(DocValues.getSorted(reader, IndexSchema.ID));
    // The caller's searcher holds the segment open, so the listener cannot have fired yet.
    if (tables.putIfAbsent(key, decoded) == null) {
      helper.addClosedListener(tables::remove);
    }
    return decoded;
  }

  private static Table decode(SortedDocValues values) throws IOException {
    int count = values.getValueCount();
    int[] starts = new int[count + 1];
    byte[] bytes = new byte[Math.max(16, count * 36)];
    TermsEnum terms = values.termsEnum();
    int ord = 0;
    int at = 0;
    for (BytesRef id = terms.next(); id != null; id = terms.next()) {
      if (at + id.length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, at + id.length));
      }
      System.arraycopy(id.bytes, id.offset, bytes, at, id.length);
      at += id.length;
      starts[++ord] = at;
    }
    if (ord != count) {
      throw new CorruptIndexException(
          "id doc values list " + ord + " of " + count + " values", values.toString());
    }
    return new Table(Arrays.copyOf(bytes, at), starts);
  }
}
