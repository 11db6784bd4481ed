package io.mnemo4j.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hit ids come from per-segment tables decoded once: every document of every segment must get its
 * own id (ids of any allowed length, deleted documents left behind), and a segment's table must go
 * when the segment does, so that merges and refreshes do not grow the heap.
 */
class SegmentIdsTest {
  @TempDir Path dir;

  @Test
  void ids_everyDocumentOfEverySegment_isItsOwnIdWhateverItsLength() throws Exception {
    Random random = new Random(11);
    try (Directory directory = FSDirectory.open(dir);
        IndexWriter writer =
            new IndexWriter(
                directory,
                new IndexWriterConfig(new StandardAnalyzer())
                    .setMergePolicy(NoMergePolicy.INSTANCE))) {
      List<String> written = new ArrayList<>();
      for (int segment = 0; segment < 5; segment++) {
        for (int i = 0; i < 150; i++) {
          String id = randomId(random, written.size());
          written.add(id);
          writer.addDocument(doc(id));
        }
        writer.deleteDocuments(new Term(IndexSchema.ID, written.get(written.size() - 7)));
        writer.commit();
      }
      try (DirectoryReader reader = DirectoryReader.open(writer)) {
        assertThat(reader.leaves()).hasSizeGreaterThan(1);
        IndexSearcher searcher = new IndexSearcher(reader);
        SegmentIds segmentIds = new SegmentIds();
        // Every document, listed in a shuffled order: ids come back aligned with the hits.
        List<ScoreDoc> all = new ArrayList<>();
        for (int doc = 0; doc < reader.maxDoc(); doc++) {
          all.add(new ScoreDoc(doc, 1f));
        }
        java.util.Collections.shuffle(all, random);
        ScoreDoc[] hits = all.toArray(ScoreDoc[]::new);
        String[] ids = segmentIds.ids(searcher, hits);
        for (int i = 0; i < hits.length; i++) {
          assertThat(ids[i]).isEqualTo(storedId(searcher, hits[i].doc));
        }
        assertThat(segmentIds.size()).isEqualTo(reader.leaves().size());
        // A second read is served by the same tables.
        assertThat(segmentIds.ids(searcher, hits)).containsExactly(ids);
        assertThat(segmentIds.size()).isEqualTo(reader.leaves().size());
      }
    }
  }

  @Test
  void tables_ofSegmentsMergedAwayAndClosed_areDropped() throws Exception {
    try (Directory directory = FSDirectory.open(dir);
        IndexWriter writer =
            new IndexWriter(directory, new IndexWriterConfig(new StandardAnalyzer()))) {
      for (int segment = 0; segment < 4; segment++) {
        for (int i = 0; i < 50; i++) {
          writer.addDocument(doc("s" + segment + "-" + i));
        }
        writer.commit();
      }
      SegmentIds segmentIds = new SegmentIds();
      DirectoryReader before = DirectoryReader.open(writer);
      segmentIds.ids(new IndexSearcher(before), new ScoreDoc[] {new ScoreDoc(0, 1f)});
      segmentIds.ids(new IndexSearcher(before), new ScoreDoc[] {new ScoreDoc(199, 1f)});
      assertThat(segmentIds.size()).isEqualTo(2);
      writer.forceMerge(1);
      DirectoryReader after = DirectoryReader.openIfChanged(before, writer);
      assertThat(after).isNotNull();
      before.close();
      try (after) {
        // The old segments' cores closed with the last reader holding them.
        assertThat(segmentIds.size()).isZero();
        IndexSearcher searcher = new IndexSearcher(after);
        assertThat(segmentIds.ids(searcher, new ScoreDoc[] {new ScoreDoc(120, 1f)}))
            .containsExactly(storedId(searcher, 120));
        assertThat(segmentIds.size()).isEqualTo(1);
      }
    }
  }

  private static Document doc(String id) {
    Document doc = new Document();
    doc.add(new StringField(IndexSchema.ID, id, Field.Store.NO));
    doc.add(new SortedDocValuesField(IndexSchema.ID, new BytesRef(id)));
    doc.add(new StoredField("stored_id", id));
    return doc;
  }

  private static String storedId(IndexSearcher searcher, int doc) throws Exception {
    return searcher.storedFields().document(doc).get("stored_id");
  }

  /** An id of 1 to 128 characters of the allowed alphabet, unique by its suffix. */
  private static String randomId(Random random, int n) {
    String alphabet = "ABCXYZabcxyz0189._:-";
    int length = random.nextInt(1, 120);
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < length; i++) {
      id.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    String out = id.append('-').append(n).toString();
    assertThat(IndexSchema.ID_PATTERN.matcher(out).matches()).isTrue();
    return out;
  }
}
