/**
 * The PostgreSQL + pgvector backend. Entry points: {@link
 * io.mnemo4j.store.postgres.PostgresBackend}, {@link io.mnemo4j.store.postgres.PostgresStore},
 * {@link io.mnemo4j.store.postgres.PostgresCatalog} and {@link
 * io.mnemo4j.store.postgres.PostgresOptions}.
 *
 * <h2>One schema per tenant</h2>
 *
 * Each tenant gets its own schema ({@code mnemo_t_<tenant>}, quoted because ids may hold hyphens;
 * an id too long for PostgreSQL's 63-byte identifiers is cut and suffixed with a hash of it, and
 * the registry table {@code mnemo_registry.tenants} records the name) holding its own tables
 * ({@code memories}, {@code history}, {@code messages}, {@code events}, {@code models}, {@code
 * memory_text}...), its own HNSW index per embedding model (built once the tenant holds 2,000
 * vectors of the model, when searches start using it; below that they are exact, see {@code
 * VectorIndexes}) and its own GIN full-text index, whose pending list is at most 64 kB (layout 9)
 * and is moved into the index tree in the background after each write ({@code TextIndexFlush}), so
 * a write does not insert its words into the tree itself and a search scans few unsorted entries.
 *
 * <h2>Row layout (layouts 7 and 8)</h2>
 *
 * The vector stays in the memory row: the column has storage MAIN and the table {@code
 * toast_tuple_target = 8160}, where pgvector's default (EXTERNAL) put every 384-dimension vector in
 * TOAST, so an exact scan of a scope read each one from there. Full-text search then reads a narrow
 * table, {@code memory_text} (id, scope ids, lexemes; about 190 bytes a row against 2.5 KB for a
 * memory row with its vector), which a trigger on {@code memories} keeps equal on every write, and
 * which carries the GIN index, the wall and the search role's match policy. Layout 8 adds {@code
 * created_key}, the creation time as text, which keys the index of the memories of one add: numeric
 * equality is not leakproof, so under the tenant wall the numeric time could not be an index
 * condition. Older schemas are rewritten on open ({@code TenantSql#migrate}).
 *
 * <p>Why not one shared table filtered by {@code tenant_id}, or LIST partitions: the issue measured
 * a shared table filtered by tenant at recall@10 0.04 with the default plan (the HNSW index returns
 * the global top-k, then the filter throws most of it away), and a per-tenant partition at 0.994
 * and 0.64 ms, because each partition has its own index whose neighbours are all the tenant's. A
 * schema has that same per-tenant index property, plus what a partition lacks: purge is one
 * statement ({@code DROP SCHEMA ... CASCADE} removes every table, index, function and policy of the
 * tenant, with nothing shared left to vacuum), and the schema is a privilege boundary (grants,
 * ownership) as well as a namespace.
 *
 * <h2>Row-level security, a second wall</h2>
 *
 * Every tenant table has {@code tenant_id} (defaulted from the transaction setting {@code
 * mnemo.tenant}, pinned by a CHECK to the schema's tenant), {@code ENABLE} and {@code FORCE ROW
 * LEVEL SECURITY}, and the policy {@code tenant_id = current_setting('mnemo.tenant', true)}. Every
 * transaction sets the tenant and switches ({@code SET LOCAL ROLE}) to a NOLOGIN role without
 * BYPASSRLS ({@code mnemo_rls}), because superusers and BYPASSRLS roles ignore policies. A query
 * that reached another tenant's schema by mistake therefore reads no row and writes none. Most
 * reads of a search are one statement text with those settings in front, run in auto-commit mode:
 * the server runs a text sent with one Sync as one implicit transaction, so the settings hold for
 * it alone, in one round trip (see {@code TenantContext.readOnce}).
 *
 * <p>A cost, and how text search avoids it: under a policy, PostgreSQL uses an index only for
 * leakproof operators. Text equality and pgvector's order-by scan qualify, so scope filters and
 * HNSW search keep their indexes; the full-text {@code @@} and the jsonb operators do not, so a
 * text search would scan the tenant's table (56 ms for 100,000 memories against 0.5 ms through the
 * GIN index, measured). Text search therefore runs as a second NOLOGIN role ({@code
 * mnemo_rls_search}, SELECT on {@code memories} and {@code memory_text} only) with a second,
 * restrictive policy on both holding the match itself ({@code tsv @@
 * current_setting('mnemo.tsquery')::tsquery}): a policy condition is evaluated first and may use
 * the index, and the tenant wall still applies (0.6 ms). Metadata filters stay unindexed: a cheap
 * jsonb containment test runs before the exact one.
 *
 * <h2>Search</h2>
 *
 * Vector search is pre-filtered with pgvector 0.8's iterative HNSW scan in strict order, with an
 * exact fallback when the scan returns fewer than k rows (see {@code VectorSearch}). Full-text
 * search uses the {@code english} configuration (stemming and stop words), matching the embedded
 * store's English analyzer so both backends find the same words; the query's terms are OR-ed and
 * scored by the share of them a memory holds, its own words above its conversation context, ranked
 * in passes from every term to any term (see {@code TextSearch}). Filters compile to SQL with
 * exactly the reference semantics of {@link io.mnemo4j.filter.FilterEvaluator} (see {@code
 * SqlFilter}).
 *
 * <h2>Adds</h2>
 *
 * An add's duplicate checks ask for every message at once ({@code duplicateCandidates}): one
 * statement for the exact-hash lookups and one that counts the scope and, when it is small enough
 * to be searched exactly, finds every message's nearest memories (one pass computing each row's
 * distances to every message), ranking only rows the add's nomination floor lets through. They, and
 * every other read of the thread under the lock (the rows of near-duplicate candidates), run in the
 * transaction of the add's scope guard, which entered the tenant in the statement that took the
 * lock; the guarded write then commits it. So an add costs one connection, one transaction and
 * three or four round trips (lock, lookups, candidate rows if any, the write with its commit). The
 * answers are those of {@code findByHash} and {@code vectorSearch}, under the same wall.
 *
 * <h2>Scope locks</h2>
 *
 * {@code lockScope} takes {@code pg_advisory_xact_lock} on a 64-bit hash of tenant and scope in a
 * transaction that the guarded write then commits, so concurrent adds from several processes on one
 * database serialise, and the lock is released exactly when the data becomes visible. The lock
 * statement is not sent on its own: it travels in front of the guard's first read or write (an
 * add's duplicate lookups), and any statement the thread sends elsewhere under the guard sends it
 * first, so nothing done under the guard runs before the lock is held.
 */
@NullMarked
package io.mnemo4j.store.postgres;

import org.jspecify.annotations.NullMarked;
