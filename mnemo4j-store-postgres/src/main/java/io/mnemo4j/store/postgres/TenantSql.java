package io.mnemo4j.store.postgres;

import io.mnemo4j.TenantId;
import io.mnemo4j.internal.store.JdbcRows;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of one tenant schema: its DDL (tables, indexes, row-level security, grants) and the
 * schema-qualified statements the tenant store runs. Thread-safe (immutable).
 *
 * <p>Every table carries {@code tenant_id}, defaulted from the transaction's {@code mnemo.tenant}
 * setting and pinned by a CHECK constraint to this schema's tenant; a policy admits only rows whose
 * {@code tenant_id} equals the setting, and {@code FORCE ROW LEVEL SECURITY} applies it to the
 * owner too. So a transaction set for tenant A, under the RLS role, reads nothing from tenant B's
 * tables and cannot write into them (its default tenant_id fails B's CHECK, an explicit 'B' fails
 * the policy).
 */
final class TenantSql {
  /**
   * Version of this layout, recorded in the registry; bump with a migration ({@link #migrate}). 2
   * added the conversation windows; 3 stopped ANALYZE from sampling text ({@link
   * #withoutTextStatistics}); 5 turned the full-text index's pending list off; 6 added the index of
   * the memories of one add ({@link #createdIndex}); 7 keeps vectors in the memory row ({@link
   * #vectorsInRow}) and moves full-text search to a narrow table ({@link #createMemoryText}); 8
   * keys that index by {@link #CREATED_KEY} instead of the numeric time; 9 gives the full-text
   * index a short pending list again ({@link #TEXT_PENDING_LIST_KB}, see {@link TextIndexFlush}).
   */
  static final int SCHEMA_VERSION = 9;

  /**
   * The most kB of new lexemes the full-text index queues before a writer moves them into the tree
   * (PostgreSQL's smallest {@code gin_pending_list_limit}). The default, 4 MB, let a 100,000-memory
   * load leave 398 pages that every text pass scanned (57 ms against 1 ms); 64 kB is about 8 pages,
   * and {@link TextIndexFlush} empties the list after each write.
   */
  static final int TEXT_PENDING_LIST_KB = 64;

  /** The full-text index of {@code memory_text}. */
  static final String TEXT_INDEX = "memory_text_tsv";

  /** The full-text index's storage options: a short pending list, see {@link TextIndexFlush}. */
  private static final String TEXT_INDEX_OPTIONS =
      "fastupdate = on, gin_pending_list_limit = " + TEXT_PENDING_LIST_KB;

  /**
   * A memory's creation time as text, for the index of the memories of one add. The time itself is
   * {@code numeric} (exact epoch nanoseconds, any instant), and numeric equality is not leakproof:
   * under row-level security PostgreSQL may not evaluate it before the tenant wall, so it cannot be
   * an index condition, and the neighbour lookup walked the primary key over the whole table
   * instead (about 370 ms per memory at 100,000 memories, measured). Text equality is leakproof,
   * and {@code trim_scale} makes equal times equal texts whatever scale wrote them.
   */
  static final String CREATED_KEY =
      "created_key text COLLATE \"C\" GENERATED ALWAYS AS (trim_scale(created_at)::text) STORED";

  /**
   * Columns whose values ANALYZE must never sample: everything a user said or that derives from it
   * (text, context, its hash and lexemes, metadata, names, vectors, history, raw messages,
   * operation records). Their statistics would copy samples into {@code pg_statistic}, whose pages
   * keep them after the tenant's schema is dropped. Ids, scope ids, times and types keep their
   * statistics: the planner needs them to choose between the scope indexes and a scan.
   */
  static final java.util.Map<String, List<String>> TEXT_COLUMNS =
      java.util.Map.of(
          "memories",
              List.of(
                  "text",
                  "hash",
                  "metadata",
                  "meta",
                  "categories",
                  "actor",
                  "provenance",
                  "embedding",
                  "context",
                  "tsv"),
          "memory_text", List.of("tsv"),
          "history", List.of("old_text", "new_text", "actor", "reason"),
          "messages", List.of("name", "content"),
          "events", List.of("idempotency_key", "request", "result"),
          "conversations", List.of("conversation_id", "text", "format", "data"));

  /** The text-search configuration (see package-info for why {@code english}). */
  static final String TEXT_CONFIG = "english";

  /**
   * A memory row as {@code Rows.memory} reads it; the vector in pgvector's binary form ({@code
   * vector_send}), which costs neither side a text conversion of 384 floats.
   */
  static final String MEMORY_COLUMNS =
      "id, text, hash, user_id, agent_id, run_id, metadata::text, categories, role, actor,"
          + " created_at, updated_at, expires_at, valid_from, valid_to, memory_type,"
          + " provenance::text, embedding_model, vector_send(embedding), context";

  static final String[] TABLES = {
    "memories",
    "history",
    "messages",
    "events",
    "models",
    "conversations",
    "model_vectors",
    "memory_text"
  };

  final TenantId tenant;
  final String schema;
  final String q;
  final String memories;
  final String history;
  final String messages;
  final String events;
  final String models;
  final String conversations;
  final String modelVectors;
  final String memoryText;

  TenantSql(TenantId tenant, String schema) {
    this.tenant = tenant;
    this.schema = schema;
    this.q = Names.quote(schema);
    this.memories = q + ".memories";
    this.history = q + ".history";
    this.messages = q + ".messages";
    this.events = q + ".events";
    this.models = q + ".models";
    this.conversations = q + ".conversations";
    this.modelVectors = q + ".model_vectors";
    this.memoryText = q + ".memory_text";
  }

  private String tenantColumn() {
    return "tenant_id text NOT NULL DEFAULT current_setting('mnemo.tenant') CHECK (tenant_id = "
        + Names.literal(tenant.value())
        + ")";
  }

  /** The conversation windows' table (TenantStore.replaceConversation): ordered rows per id. */
  private String createConversations() {
    return "CREATE TABLE "
        + conversations
        + " (conversation_id text COLLATE \"C\" NOT NULL, pos integer NOT NULL, "
        + tenantColumn()
        + ", role text NOT NULL, text text NOT NULL, format text NOT NULL, data text NOT NULL,"
        + " PRIMARY KEY (conversation_id, pos))";
  }

  /**
   * The second vector slot (TenantStore.putVectors): another model's vectors, untyped like the
   * memories' own, kept until a switch makes them the memories' embeddings. Never searched.
   */
  private String createModelVectors() {
    return "CREATE TABLE "
        + modelVectors
        + " (model text NOT NULL, memory_id text COLLATE \"C\" NOT NULL, "
        + tenantColumn()
        + ", embedding vector NOT NULL, PRIMARY KEY (model, memory_id))";
  }

  /**
   * What full-text search reads: each memory's id, scope and lexemes, kept equal to the memory's by
   * a trigger ({@link #createMemoryTextSync}). Text search fetches one row per match to rank it; in
   * the memory table that row is about 2.5 KB wide with its vector (a pass matching 5,000 of
   * 100,000 memories read 4,267 pages there), here about 190 bytes (788 pages, 23 ms against 6 ms).
   */
  private List<String> createMemoryText(String searchRole) {
    List<String> ddl = new ArrayList<>();
    ddl.add(
        "CREATE TABLE "
            + memoryText
            + " (id text COLLATE \"C\" PRIMARY KEY, "
            + tenantColumn()
            + ", user_id text, agent_id text, run_id text, tsv tsvector NOT NULL)");
    ddl.add(
        "CREATE INDEX "
            + TEXT_INDEX
            + " ON "
            + memoryText
            + " USING gin (tsv) WITH ("
            + TEXT_INDEX_OPTIONS
            + ")");
    ddl.addAll(createMemoryTextSync());
    wall(ddl, memoryText);
    ddl.add(textMatchPolicy(memoryText, searchRole));
    ddl.add("GRANT SELECT ON " + memoryText + " TO " + Names.quote(searchRole));
    return ddl;
  }

  /**
   * The trigger keeping {@code memory_text} equal to the memories' ids, scopes and lexemes on every
   * insert, update and delete, whichever path writes (adds, updates, imports, erasure). It runs
   * with the writer's rights, under the same wall.
   */
  private List<String> createMemoryTextSync() {
    String sync = q + ".mnemo_text_sync";
    return List.of(
        "CREATE FUNCTION "
            + sync
            + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF TG_OP <> 'INSERT' THEN DELETE FROM "
            + memoryText
            + " WHERE id = OLD.id; END IF;"
            + " IF TG_OP <> 'DELETE' THEN INSERT INTO "
            + memoryText
            + " (id, user_id, agent_id, run_id, tsv)"
            + " VALUES (NEW.id, NEW.user_id, NEW.agent_id, NEW.run_id, NEW.tsv); END IF;"
            + " RETURN NULL; END $$",
        "CREATE TRIGGER memory_text_sync AFTER INSERT OR DELETE ON "
            + memories
            + " FOR EACH ROW EXECUTE FUNCTION "
            + sync
            + "()",
        // An update that changes none of the copied columns (a vector switch, times) skips it.
        "CREATE TRIGGER memory_text_sync_update AFTER UPDATE ON "
            + memories
            + " FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id"
            + " OR OLD.user_id IS DISTINCT FROM NEW.user_id"
            + " OR OLD.agent_id IS DISTINCT FROM NEW.agent_id"
            + " OR OLD.run_id IS DISTINCT FROM NEW.run_id OR OLD.tsv IS DISTINCT FROM NEW.tsv)"
            + " EXECUTE FUNCTION "
            + sync
            + "()");
  }

  /**
   * The search role's restrictive policy holding the full-text match: under a policy PostgreSQL
   * uses an index only for leakproof operators, and {@code @@} is not one, but a policy condition
   * is evaluated first and may use the GIN index (1.9 ms instead of a 56 ms scan of 100,000
   * memories).
   */
  private static String textMatchPolicy(String table, String searchRole) {
    return "CREATE POLICY text_match ON "
        + table
        + " AS RESTRICTIVE FOR SELECT TO "
        + Names.quote(searchRole)
        + " USING (tsv @@ current_setting('mnemo.tsquery', true)::tsquery)";
  }

  /** Row-level security of one table of this schema: the tenant wall every table carries. */
  private static void wall(List<String> ddl, String table) {
    ddl.add("ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY");
    ddl.add("ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY");
    ddl.add(
        "CREATE POLICY tenant_wall ON "
            + table
            + " USING (tenant_id = current_setting('mnemo.tenant', true))"
            + " WITH CHECK (tenant_id = current_setting('mnemo.tenant', true))");
  }

  /**
   * Statements bringing a schema created at layout {@code from} up to {@link #SCHEMA_VERSION}, run
   * by the owner in one transaction.
   */
  List<String> migrate(int from, String rlsRole, String searchRole) {
    List<String> ddl = new ArrayList<>();
    if (from < 2) {
      ddl.add(createConversations());
      wall(ddl, conversations);
      ddl.add(
          "GRANT SELECT, INSERT, UPDATE, DELETE ON "
              + conversations
              + " TO "
              + Names.quote(rlsRole));
    }
    if (from < 3) {
      ddl.addAll(withoutTextStatistics("memory_text")); // not there yet: layout 7 creates it
      ddl.add(vectorIndexesWithoutStatistics());
    }
    if (from < 4) {
      ddl.add(createModelVectors());
      wall(ddl, modelVectors);
      ddl.add(
          "GRANT SELECT, INSERT, UPDATE, DELETE ON "
              + modelVectors
              + " TO "
              + Names.quote(rlsRole));
    }
    if (from < 5) {
      // The full-text index without a pending list (see create); the ALTER locks out writers, so
      // the flush after it leaves the list empty for good.
      String index = Names.literal(q + ".memories_text");
      ddl.add("ALTER INDEX " + q + ".memories_text SET (fastupdate = off)");
      ddl.add("SELECT gin_clean_pending_list(" + index + "::regclass)");
    }
    // Layout 6 added the index of the memories of one add; layout 8 builds it anew below.
    if (from < 7) {
      // SET STORAGE alone would leave the stored vectors out of line: the type change to itself
      // rewrites the table (and rebuilds its indexes), detoasting every vector into its row. The
      // rebuilt vector indexes lose their statistics setting, which is then set again.
      ddl.add(
          "ALTER TABLE "
              + memories
              + " ALTER COLUMN embedding TYPE vector USING embedding::real[]::vector, "
              + VECTORS_IN_ROW);
      ddl.addAll(createMemoryText(searchRole));
      ddl.add(
          "GRANT SELECT, INSERT, UPDATE, DELETE ON " + memoryText + " TO " + Names.quote(rlsRole));
      // The owner fills it under the wall too (FORCE ROW LEVEL SECURITY), so as the tenant.
      ddl.add("SELECT set_config('mnemo.tenant', " + Names.literal(tenant.value()) + ", true)");
      ddl.add(
          "INSERT INTO "
              + memoryText
              + " (id, user_id, agent_id, run_id, tsv) SELECT id, user_id, agent_id, run_id, tsv FROM "
              + memories);
      ddl.add("DROP INDEX " + q + ".memories_text");
      ddl.addAll(withoutTextStatistics());
      ddl.add(vectorIndexesWithoutStatistics());
    }
    if (from < 8) {
      // Adding a stored generated column rewrites the table once, computing every key.
      ddl.add("ALTER TABLE " + memories + " ADD COLUMN IF NOT EXISTS " + CREATED_KEY);
      ddl.add("DROP INDEX IF EXISTS " + q + ".memories_created");
      ddl.add(createdIndex());
    }
    if (from < 9) {
      ddl.add("ALTER INDEX " + q + "." + TEXT_INDEX + " SET (" + TEXT_INDEX_OPTIONS + ")");
    }
    return ddl;
  }

  /** The qualified name of the full-text index, as {@code to_regclass} reads it. */
  String textIndex() {
    return q + "." + TEXT_INDEX;
  }

  /**
   * Keeps each vector in its memory row. pgvector's {@code vector} has storage EXTERNAL, and a
   * memory row with a 384-dimension vector (1,540 bytes) passes the 2 KB TOAST threshold, so
   * PostgreSQL moved the vector out of line: an exact scan of 2,000 rows (the near-duplicate check
   * of an add) then read about 6,000 TOAST pages, measured 8-32 ms against 1.3 ms in the row. MAIN
   * moves the vector out only as the last resort, and the row target of 8,160 bytes (the most
   * PostgreSQL allows) stops it from compressing or moving text, context and lexemes out instead
   * (which text search reads per match) until the row fills a page.
   */
  private static final String VECTORS_IN_ROW =
      "ALTER COLUMN embedding SET STORAGE MAIN, SET (toast_tuple_target = 8160)";

  /** Statement making {@link #VECTORS_IN_ROW} the memories' layout. */
  String vectorsInRow() {
    return "ALTER TABLE " + memories + " " + VECTORS_IN_ROW;
  }

  /** Statement stopping ANALYZE from sampling every vector index the schema has, any model's. */
  private String vectorIndexesWithoutStatistics() {
    return "DO $$ DECLARE r record; BEGIN FOR r IN SELECT indexname FROM pg_indexes"
        + " WHERE schemaname = "
        + Names.literal(schema)
        + " AND indexdef LIKE '%USING hnsw%' LOOP EXECUTE format("
        + "'ALTER INDEX %I.%I ALTER COLUMN 1 SET STATISTICS 0', "
        + Names.literal(schema)
        + ", r.indexname); END LOOP; END $$";
  }

  /**
   * The memories of one add share scope and creation time (TenantStore.addNeighbours); keyed by
   * {@link #CREATED_KEY}, which a lookup under row-level security can use.
   */
  String createdIndex() {
    return "CREATE INDEX IF NOT EXISTS memories_created ON " + memories + " (created_key, id)";
  }

  /** Statements creating the schema, in order, run by the owner in one transaction. */
  List<String> create(String rlsRole, String searchRole) {
    String tenantColumn = tenantColumn();
    String role = Names.quote(rlsRole);
    List<String> ddl = new ArrayList<>();
    ddl.add("CREATE SCHEMA " + q);
    ddl.add("COMMENT ON SCHEMA " + q + " IS " + Names.literal("mnemo4j tenant " + tenant.value()));
    // The sort key of Java's String order; SqlFilter.u16Key documents the mapping.
    ddl.add(
        "CREATE FUNCTION "
            + q
            + ".mnemo_u16(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$"
            + " SELECT CASE WHEN t !~ '[\\uE000-\\uFFFF\\U0010FFFF]' THEN t ELSE"
            + " (SELECT string_agg(CASE WHEN ascii(c) BETWEEN 57344 AND 65535"
            + " THEN chr(1114111) || chr(ascii(c) - 57344 + 4096)"
            + " WHEN ascii(c) = 1114111 THEN chr(1114111) || chr(1) ELSE c END, '' ORDER BY i)"
            + " FROM unnest(string_to_array(t, NULL)) WITH ORDINALITY AS x(c, i)) END $$");
    // Times are exact epoch nanoseconds (Pg.nanos); metadata is kept as written (json) for an
    // exact round trip of numbers, and as jsonb for filtering.
    ddl.add(
        "CREATE TABLE "
            + memories
            + " (id text COLLATE \"C\" PRIMARY KEY, "
            + tenantColumn
            + ", text text NOT NULL, hash text NOT NULL,"
            + " user_id text, agent_id text, run_id text,"
            + " metadata json NOT NULL, meta jsonb GENERATED ALWAYS AS (metadata::jsonb) STORED,"
            + " categories text[] NOT NULL, role text, actor text,"
            + " created_at numeric NOT NULL, updated_at numeric NOT NULL, expires_at numeric,"
            + " valid_from numeric, valid_to numeric, memory_type text NOT NULL,"
            + " provenance jsonb NOT NULL, embedding_model text NOT NULL, embedding vector,"
            + " context text NOT NULL, "
            + CREATED_KEY
            + ","
            + " tsv tsvector GENERATED ALWAYS AS ("
            + "setweight(to_tsvector('"
            + TEXT_CONFIG
            + "'::regconfig, text), 'A') || setweight(to_tsvector('"
            + TEXT_CONFIG
            + "'::regconfig, context), 'D')) STORED)");
    ddl.add(vectorsInRow());
    ddl.add("CREATE INDEX memories_scope ON " + memories + " (user_id, agent_id, run_id)");
    ddl.add("CREATE INDEX memories_agent ON " + memories + " (agent_id, run_id)");
    ddl.add("CREATE INDEX memories_run ON " + memories + " (run_id)");
    ddl.add("CREATE INDEX memories_hash ON " + memories + " (hash)");
    ddl.add(createdIndex());
    ddl.add(
        "CREATE TABLE "
            + history
            + " (pos bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            + " id text COLLATE \"C\" NOT NULL UNIQUE, "
            + tenantColumn
            + ", memory_id text COLLATE \"C\" NOT NULL, event text NOT NULL, old_text text,"
            + " new_text text, actor text NOT NULL, at numeric NOT NULL, reason text)");
    ddl.add("CREATE INDEX history_memory ON " + history + " (memory_id, pos)");
    ddl.add(
        "CREATE TABLE "
            + messages
            + " (id text COLLATE \"C\" PRIMARY KEY, "
            + tenantColumn
            + ", user_id text, agent_id text, run_id text, role text NOT NULL, name text,"
            + " content text NOT NULL, received_at numeric NOT NULL)");
    ddl.add(
        "CREATE TABLE "
            + events
            + " (id text COLLATE \"C\" PRIMARY KEY, "
            + tenantColumn
            + ", idempotency_key text CONSTRAINT events_idempotency_key UNIQUE,"
            + " status text NOT NULL, request text NOT NULL, result text,"
            + " created_at numeric NOT NULL, updated_at numeric NOT NULL)");
    ddl.add("CREATE INDEX events_status ON " + events + " (status, created_at, id)");
    ddl.add(
        "CREATE TABLE "
            + models
            + " (model text PRIMARY KEY, "
            + tenantColumn
            + ", dimension integer NOT NULL CHECK (dimension > 0))");
    ddl.add(createConversations());
    ddl.add(createModelVectors());
    // Walls of every table but memory_text, which createMemoryText walls.
    for (String table : TABLES) {
      if (!table.equals("memory_text")) {
        wall(ddl, q + "." + table);
      }
    }
    // Text search runs as the search role, for which a second, restrictive policy also requires
    // the text match (textMatchPolicy), here and on memory_text.
    ddl.add(textMatchPolicy(memories, searchRole));
    ddl.addAll(createMemoryText(searchRole));
    ddl.addAll(withoutTextStatistics());
    ddl.add("GRANT USAGE ON SCHEMA " + q + " TO " + role + ", " + Names.quote(searchRole));
    ddl.add("GRANT SELECT ON " + memories + " TO " + Names.quote(searchRole));
    ddl.add("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + q + " TO " + role);
    ddl.add("GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + q + " TO " + role);
    ddl.add(
        "GRANT EXECUTE ON FUNCTION "
            + q
            + ".mnemo_u16(text) TO "
            + role
            + ", "
            + Names.quote(searchRole));
    return ddl;
  }

  /**
   * Statements setting the statistics target of every {@link #TEXT_COLUMNS} column to 0, but in the
   * tables {@code skipped}.
   */
  List<String> withoutTextStatistics(String... skipped) {
    List<String> ddl = new ArrayList<>();
    for (var table : new java.util.TreeMap<>(TEXT_COLUMNS).entrySet()) {
      if (List.of(skipped).contains(table.getKey())) {
        continue;
      }
      StringBuilder alter =
          new StringBuilder("ALTER TABLE ").append(q).append('.').append(table.getKey());
      for (int i = 0; i < table.getValue().size(); i++) {
        alter
            .append(i == 0 ? " " : ", ")
            .append("ALTER COLUMN ")
            .append(table.getValue().get(i))
            .append(" SET STATISTICS 0");
      }
      ddl.add(alter.toString());
    }
    return ddl;
  }

  /**
   * The HNSW index of one model: a partial index over the untyped vector column cast to the model's
   * dimension (HNSW needs a fixed one), used by queries that repeat the cast and the predicate.
   */
  String createVectorIndex(String model, int dimension) {
    return "CREATE INDEX IF NOT EXISTS "
        + Names.quote(Names.vectorIndex(model))
        + " ON "
        + memories
        + " USING hnsw ((embedding::vector("
        + dimension
        + ")) vector_cosine_ops) WHERE embedding_model = "
        + Names.literal(model);
  }

  /**
   * Stops ANALYZE from sampling a vector index's expression (vectors are derived from text, and
   * expression statistics land in {@code pg_statistic} like a column's).
   */
  String vectorIndexWithoutStatistics(String indexName) {
    return "ALTER INDEX " + q + "." + Names.quote(indexName) + " ALTER COLUMN 1 SET STATISTICS 0";
  }

  String upsertMemory() {
    return upsertMemory(1);
  }

  /**
   * {@link #upsertMemory()} for {@code rows} memories in one statement (their ids must differ: an
   * upsert cannot touch a row twice).
   */
  String upsertMemory(int rows) {
    return "INSERT INTO "
        + memories
        + " (id, text, hash, user_id, agent_id, run_id, metadata, categories, role, actor,"
        + " created_at, updated_at, expires_at, valid_from, valid_to, memory_type, provenance,"
        + " embedding_model, embedding, context) VALUES "
        + tuples(
            "(?, ?, ?, ?, ?, ?, ?::json, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, "
                + Rows.VECTOR_PARAM
                + ", ?)",
            rows)
        + " ON CONFLICT (id) DO UPDATE SET"
        + " text = EXCLUDED.text, hash = EXCLUDED.hash, user_id = EXCLUDED.user_id,"
        + " agent_id = EXCLUDED.agent_id, run_id = EXCLUDED.run_id, metadata = EXCLUDED.metadata,"
        + " categories = EXCLUDED.categories, role = EXCLUDED.role, actor = EXCLUDED.actor,"
        + " created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,"
        + " expires_at = EXCLUDED.expires_at, valid_from = EXCLUDED.valid_from,"
        + " valid_to = EXCLUDED.valid_to, memory_type = EXCLUDED.memory_type,"
        + " provenance = EXCLUDED.provenance, embedding_model = EXCLUDED.embedding_model,"
        + " embedding = EXCLUDED.embedding, context = EXCLUDED.context";
  }

  String deleteMemory() {
    return "DELETE FROM " + memories + " WHERE id = ?";
  }

  String upsertHistory() {
    return upsertHistory(1);
  }

  /**
   * {@link #upsertHistory()} for {@code rows} history entries with different ids in one statement.
   */
  String upsertHistory(int rows) {
    return "INSERT INTO "
        + history
        + " ("
        + JdbcRows.HISTORY_COLUMNS
        + ") VALUES "
        + tuples("(?, ?, ?, ?, ?, ?, ?, ?)", rows)
        + " ON CONFLICT (id) DO UPDATE SET"
        + " memory_id = EXCLUDED.memory_id, event = EXCLUDED.event, old_text = EXCLUDED.old_text,"
        + " new_text = EXCLUDED.new_text, actor = EXCLUDED.actor, at = EXCLUDED.at,"
        + " reason = EXCLUDED.reason";
  }

  String upsertMessage() {
    return upsertMessage(1);
  }

  /** {@link #upsertMessage()} for {@code rows} raw messages with different ids in one statement. */
  String upsertMessage(int rows) {
    return "INSERT INTO "
        + messages
        + " ("
        + JdbcRows.MESSAGE_COLUMNS
        + ") VALUES "
        + tuples("(?, ?, ?, ?, ?, ?, ?, ?)", rows)
        + " ON CONFLICT (id) DO UPDATE SET"
        + " user_id = EXCLUDED.user_id, agent_id = EXCLUDED.agent_id, run_id = EXCLUDED.run_id,"
        + " role = EXCLUDED.role, name = EXCLUDED.name, content = EXCLUDED.content,"
        + " received_at = EXCLUDED.received_at";
  }

  String upsertEvent() {
    return upsertEvent(1);
  }

  /**
   * {@link #upsertEvent()} for {@code rows} operation records with different ids in one statement.
   */
  String upsertEvent(int rows) {
    return "INSERT INTO "
        + events
        + " ("
        + JdbcRows.EVENT_COLUMNS
        + ") VALUES "
        + tuples("(?, ?, ?, ?, ?, ?, ?)", rows)
        + " ON CONFLICT (id) DO UPDATE SET"
        + " idempotency_key = EXCLUDED.idempotency_key, status = EXCLUDED.status,"
        + " request = EXCLUDED.request, result = EXCLUDED.result,"
        + " created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at";
  }

  /** {@code rows} copies of one row's value list, comma-separated. */
  private static String tuples(String tuple, int rows) {
    return String.join(", ", java.util.Collections.nCopies(rows, tuple));
  }
}
