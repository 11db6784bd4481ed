package io.mnemo4j.store.embedded;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.Scope;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.StoredMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.BinaryPoint;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.search.similarities.Similarity;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;
import org.jspecify.annotations.Nullable;

/**
 * The Lucene side of a memory: field names, the analyzer, and how a memory becomes a document.
 * Thread-safe (stateless apart from the analyzer, which Lucene makes safe to share).
 *
 * <p>Each filterable text value of a field with base name {@code b} is indexed three times: {@code
 * t:b} (exact UTF-8, for eq/in/contains), {@code l:b} (Locale.ROOT lower case, for icontains) and
 * {@code o:b} (UTF-16BE bytes, whose byte order is the UTF-16 code unit order FilterExpr's text
 * comparisons are defined by; UTF-8 byte order differs for supplementary characters). Metadata
 * numbers go to {@code n:b} (DoublePoint), booleans to {@code b:b}. The field {@code p} lists every
 * base name that holds at least one value. Prefixes keep metadata keys, which may hold any
 * character, from colliding with each other or with built-in fields.
 *
 * <p>A metadata key is present when it exists, whatever its value (even an empty array), as in
 * {@link io.mnemo4j.filter.FilterEvaluator}. A value that is an object, or an object or array
 * inside an array, is only recorded as present: the filter language addresses top-level keys and
 * compares scalars, so nothing else could match it. Times are 12-byte {@link BinaryPoint}s (see
 * {@link #time}) named by their base name: {@code created_at} and {@code updated_at} always hold
 * one; {@code valid_from}, {@code valid_to} and {@code expires_at} hold one only when set, and then
 * are listed in {@code p}. {@code memory_type} is a text value like any other (its wire name).
 */
final class IndexSchema {
  /**
   * Version of the document layout, recorded in every index commit. An index committed with another
   * version (or none: version 1, before the world-time and memory-type fields) is rebuilt from
   * SQLite on open, since its documents lack fields that filters read. Bump it whenever {@link
   * #document} changes what it indexes.
   */
  static final int VERSION = 2;

  static final String ID = "id";
  static final String TEXT = "text";

  /**
   * The conversation around a memory (StoredMemory.context), searched with {@link #CONTEXT_BOOST}.
   */
  static final String CONTEXT = "context";

  /**
   * Weight of a query term found in a memory's context rather than its own text. The context lets a
   * reply such as "Yes, last Friday!" be found by the words of the question it answers. 0.3 was
   * best with raw BM25 and min-max fusion; with text scores normalised by the query's maximum
   * attainable score, 0.6 measured best of 0.3, 0.6 and 1.0 on LoCoMo (BENCHMARKS.md).
   */
  static final float CONTEXT_BOOST = 0.6f;

  /**
   * BM25's term-frequency saturation. Low: a memory is a sentence or two, where a word said twice
   * hardly means more than once (measured on LoCoMo, BENCHMARKS.md: 0.2 and 0.5 tie, 1.2 loses).
   */
  static final float BM25_K1 = 0.2f;

  /**
   * BM25's length normalisation, off: it penalised the long turns that carry the facts (LoCoMo
   * recall@10 0.782 at b = 0 against 0.755 at Lucene's default 0.75). Norms are written the same
   * for any b, so this is a search-time choice only.
   */
  static final float BM25_B = 0f;

  /** The similarity every searcher scores text with. */
  static final Similarity SIMILARITY = new BM25Similarity(BM25_K1, BM25_B);

  /** Makes searchers that score with {@link #SIMILARITY}. */
  static final SearcherFactory SEARCHERS =
      new SearcherFactory() {
        @Override
        public IndexSearcher newSearcher(IndexReader reader, IndexReader previousReader) {
          IndexSearcher searcher = new IndexSearcher(reader);
          searcher.setSimilarity(SIMILARITY);
          return searcher;
        }
      };

  static final String PRESENT = "p";
  static final String SCOPE_USER = "s:user";
  static final String SCOPE_AGENT = "s:agent";
  static final String SCOPE_RUN = "s:run";

  /**
   * Stands for an absent scope id; scope ids can never hold control characters, so it cannot clash.
   */
  static final String NO_ID = "\u0000";

  /** Analyzed query terms beyond this are ignored, so that clause limits stay far away. */
  static final int MAX_QUERY_TERMS = 512;

  /** Memory ids, and so list cursors, are short tokens: a cursor outside this shape is refused. */
  static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private static final Analyzer ANALYZER = new EnglishAnalyzer();

  /**
   * Largest embedding accepted: hosted models reach 3072 dimensions, beyond Lucene's default limit
   * of 1024.
   */
  static final int MAX_DIMENSIONS = 4096;

  /**
   * The default codec with {@link #MAX_DIMENSIONS} allowed per vector. Lucene checks the limit only
   * when indexing, and both this codec and its vectors format keep the standard names, so every
   * reader opens the files with the standard classes: the on-disk format is exactly the default
   * one.
   */
  static final Codec CODEC =
      new Lucene104Codec() {
        @Override
        public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
          return WideHnswVectorsFormat.INSTANCE;
        }
      };

  private static final class WideHnswVectorsFormat extends KnnVectorsFormat {
    // tinySegmentsThreshold 0: build a graph for every segment. By default segments under ~650
    // vectors get none and
    // are searched exhaustively, several times slower than a graph search; the searcher is
    // refreshed about every
    // 500 changes (TenantEngine), so most fresh segments would be such. Graphs are built off the
    // write path.
    static final KnnVectorsFormat DELEGATE =
        new Lucene99HnswVectorsFormat(
            Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN,
            Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH,
            Lucene99HnswVectorsFormat.DEFAULT_NUM_MERGE_WORKER,
            null,
            0);
    static final WideHnswVectorsFormat INSTANCE = new WideHnswVectorsFormat();

    private WideHnswVectorsFormat() {
      super(DELEGATE.getName());
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
      return DELEGATE.fieldsWriter(state);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
      return DELEGATE.fieldsReader(state);
    }

    @Override
    public int getMaxDimensions(String fieldName) {
      return MAX_DIMENSIONS;
    }
  }

  private IndexSchema() {}

  /**
   * The one analyzer for memory text, at index and query time. English stemming and stop words suit
   * the LLM-written English facts this store mostly holds; change it here (and rebuild indexes) to
   * tune recall.
   */
  static Analyzer analyzer() {
    return ANALYZER;
  }

  static String vectorField(String model) {
    // Lucene field names may hold any character, so the raw model id is collision-free where a
    // sanitised one is not.
    return "vec:" + model;
  }

  static String base(FilterExpr.Field field) {
    return switch (field.kind()) {
      case USER_ID -> "user_id";
      case AGENT_ID -> "agent_id";
      case RUN_ID -> "run_id";
      case CREATED_AT -> "created_at";
      case UPDATED_AT -> "updated_at";
      case VALID_FROM -> "valid_from";
      case VALID_TO -> "valid_to";
      case EXPIRES_AT -> "expires_at";
      case MEMORY_TYPE -> "memory_type";
      case CATEGORIES -> "categories";
      case ROLE -> "role";
      case ACTOR -> "actor";
      case METADATA -> "m." + field.key();
    };
  }

  static String exact(String base) {
    return "t:" + base;
  }

  static String lower(String base) {
    return "l:" + base;
  }

  static String ordered(String base) {
    return "o:" + base;
  }

  static String number(String base) {
    return "n:" + base;
  }

  static String bool(String base) {
    return "b:" + base;
  }

  static String lowerCase(String text) {
    return text.toLowerCase(Locale.ROOT);
  }

  static BytesRef utf16(String text) {
    return new BytesRef(text.getBytes(StandardCharsets.UTF_16BE));
  }

  /** -0.0 and 0.0 are equal to a filter but distinct to DoublePoint. */
  static double normalize(double d) {
    return d + 0.0;
  }

  /**
   * A time as 12 bytes whose unsigned order is the instant order: sortable epoch seconds, then
   * nanoseconds. Exact for every {@link Instant}, where epoch nanoseconds in a long would overflow
   * outside 1677-2262.
   */
  static byte[] time(Instant t) {
    byte[] bytes = new byte[12];
    NumericUtils.longToSortableBytes(t.getEpochSecond(), bytes, 0);
    NumericUtils.intToSortableBytes(t.getNano(), bytes, 8);
    return bytes;
  }

  /**
   * Analyzes {@code text} as the index analyzes {@code field}: how often each term occurs (empty
   * when the text has no terms, as the index then holds none for it).
   */
  static Map<String, Integer> termCounts(String field, String text) {
    Map<String, Integer> counts = new HashMap<>();
    try (TokenStream stream = ANALYZER.tokenStream(field, text)) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      stream.reset();
      while (stream.incrementToken()) {
        counts.merge(term.toString(), 1, Integer::sum);
      }
      stream.end();
    } catch (IOException e) {
      throw new UncheckedIOException("analyzing an in-memory string cannot fail", e);
    }
    return counts;
  }

  /** The distinct analyzed terms of a user query, in order; never parsed as query syntax. */
  static List<String> queryTerms(String query) {
    Set<String> terms = new LinkedHashSet<>();
    try (TokenStream stream = ANALYZER.tokenStream(TEXT, query)) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      stream.reset();
      while (stream.incrementToken() && terms.size() < MAX_QUERY_TERMS) {
        terms.add(term.toString());
      }
      stream.end();
    } catch (IOException e) {
      throw new UncheckedIOException("analyzing an in-memory string cannot fail", e);
    }
    return List.copyOf(terms);
  }

  /**
   * The full-text query: any term, in the memory's own text or (weighted {@link #CONTEXT_BOOST}) in
   * its context.
   */
  static Query textQuery(List<String> terms) {
    BooleanQuery.Builder text = new BooleanQuery.Builder();
    for (String term : terms) {
      text.add(new TermQuery(new Term(TEXT, term)), BooleanClause.Occur.SHOULD);
      text.add(
          new BoostQuery(new TermQuery(new Term(CONTEXT, term)), CONTEXT_BOOST),
          BooleanClause.Occur.SHOULD);
    }
    return text.build();
  }

  static void checkId(String id) {
    if (!ID_PATTERN.matcher(id).matches()) {
      throw new InvalidRequestException("id", "memory ids must match " + ID_PATTERN.pattern());
    }
  }

  /**
   * Checks what Lucene would reject only after SQLite committed (so the index could never catch
   * up): vector shape and term sizes. Throws {@link InvalidRequestException} naming the field.
   */
  static void checkEmbedding(StoredMemory stored) {
    float[] vector = stored.embedding();
    if (vector.length == 0) {
      return;
    }
    String model = stored.memory().embeddingModel();
    int max = CODEC.knnVectorsFormat().getMaxDimensions(vectorField(model));
    if (vector.length > max) {
      throw new InvalidRequestException(
          "embedding",
          "embedding has "
              + vector.length
              + " dimensions; the embedded store accepts at most "
              + max);
    }
    for (float f : vector) {
      if (!Float.isFinite(f)) {
        throw new InvalidRequestException(
            "embedding", "embedding of memory " + stored.id() + " is not finite");
      }
    }
  }

  /** The document for a memory; validates term sizes. An empty embedding indexes no vector. */
  static Document document(StoredMemory stored) {
    Memory m = stored.memory();
    checkId(m.id());
    Document doc = new Document();
    doc.add(new StringField(ID, m.id(), Field.Store.YES));
    doc.add(new SortedDocValuesField(ID, new BytesRef(m.id())));
    doc.add(new TextField(TEXT, m.text(), Field.Store.NO));
    if (!stored.context().isEmpty()) {
      doc.add(new TextField(CONTEXT, stored.context(), Field.Store.NO));
    }

    Scope scope = m.scope();
    doc.add(new StringField(SCOPE_USER, orNone(scope.userId()), Field.Store.NO));
    doc.add(new StringField(SCOPE_AGENT, orNone(scope.agentId()), Field.Store.NO));
    doc.add(new StringField(SCOPE_RUN, orNone(scope.runId()), Field.Store.NO));

    Set<String> present = new HashSet<>();
    addText(doc, present, "user_id", "user_id", scope.userId());
    addText(doc, present, "agent_id", "agent_id", scope.agentId());
    addText(doc, present, "run_id", "run_id", scope.runId());
    addText(doc, present, "role", "role", m.role() == null ? null : m.role().wireName());
    addText(doc, present, "actor", "actor", m.actor());
    for (String category : m.categories()) {
      addText(doc, present, "categories", "categories", category);
    }
    addText(doc, present, "memory_type", "memory_type", m.type().wireName());
    doc.add(new BinaryPoint("created_at", time(m.createdAt())));
    doc.add(new BinaryPoint("updated_at", time(m.updatedAt())));
    addTime(doc, present, "valid_from", m.validFrom());
    addTime(doc, present, "valid_to", m.validTo());
    addTime(doc, present, "expires_at", m.expiresAt());

    for (Map.Entry<String, Object> e : m.metadata().entrySet()) {
      String base = "m." + e.getKey();
      String path = "metadata." + e.getKey();
      present.add(base); // the key exists, even holding an empty array
      if (e.getValue() instanceof List<?> list) {
        for (Object element : list) {
          addMetadataValue(doc, present, base, path, element);
        }
      } else {
        addMetadataValue(doc, present, base, path, e.getValue());
      }
    }
    for (String base : present) {
      doc.add(new StringField(PRESENT, base, Field.Store.NO));
    }

    if (stored.embedding().length > 0) {
      checkEmbedding(stored);
      doc.add(
          new KnnFloatVectorField(
              vectorField(m.embeddingModel()),
              stored.embedding(),
              VectorSimilarityFunction.DOT_PRODUCT));
    }
    return doc;
  }

  private static String orNone(@Nullable String id) {
    return id == null ? NO_ID : id;
  }

  /** A nullable time: a point and presence when set, nothing when not (so ne/nin match it). */
  private static void addTime(
      Document doc, Set<String> present, String base, @Nullable Instant value) {
    if (value != null) {
      present.add(base);
      doc.add(new BinaryPoint(base, time(value)));
    }
  }

  private static void addMetadataValue(
      Document doc, Set<String> present, String base, String path, Object v) {
    present.add(base);
    switch (v) {
      case String s -> addText(doc, present, base, path, s);
      case Boolean b -> doc.add(new StringField(bool(base), b.toString(), Field.Store.NO));
      case Number n -> doc.add(new DoublePoint(number(base), normalize(n.doubleValue())));
      default -> {
        // An object, or a container inside an array: presence only (see the class comment).
      }
    }
  }

  private static void addText(
      Document doc, Set<String> present, String base, String path, @Nullable String value) {
    if (value == null) {
      return;
    }
    BytesRef exact = new BytesRef(value);
    BytesRef lower = new BytesRef(lowerCase(value));
    BytesRef ordered = utf16(value);
    int longest = Math.max(exact.length, Math.max(lower.length, ordered.length));
    if (longest > IndexWriter.MAX_TERM_LENGTH) {
      throw new InvalidRequestException(
          path,
          path
              + " holds a value too long to index ("
              + value.length()
              + " characters; the embedded store indexes text values up to about 8000 characters)");
    }
    present.add(base);
    doc.add(new StringField(exact(base), exact, Field.Store.NO));
    doc.add(new StringField(lower(base), lower, Field.Store.NO));
    doc.add(new StringField(ordered(base), ordered, Field.Store.NO));
  }
}
