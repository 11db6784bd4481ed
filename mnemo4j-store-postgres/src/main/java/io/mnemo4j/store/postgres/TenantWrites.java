package io.mnemo4j.store.postgres;

import io.mnemo4j.ConflictException;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.internal.store.JdbcRows;
import io.mnemo4j.internal.store.MessageRows;
import io.mnemo4j.internal.store.ModelDimensions;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The writes of one tenant's schema: batches (memories, history, messages, operation records, each
 * new model's row and HNSW index) and conversation windows, each in one transaction under the
 * row-level-security role. Thread-safe.
 */
final class TenantWrites {
  /**
   * Batches of at most this many rows (memories put or removed, history entries, messages and
   * operation records together) go to the server in one round trip; larger ones (imports, bulk
   * writes) as one JDBC batch per table, where one statement text per row count would crowd the
   * driver's statement cache. An add of 10 messages writes 31 rows.
   */
  static final int ONE_TRIP_ROWS = 64;

  private final TenantContext tenant;
  private final TenantSql sql;
  private final ModelDimensions dimensions;
  private final TableStatistics statistics;
  private final VectorIndexes indexes;
  private final TextIndexFlush texts;

  TenantWrites(
      TenantContext tenant,
      ModelDimensions dimensions,
      TableStatistics statistics,
      VectorIndexes indexes) {
    this.tenant = tenant;
    this.sql = tenant.sql();
    this.dimensions = dimensions;
    this.statistics = statistics;
    this.indexes = indexes;
    this.texts = new TextIndexFlush(tenant);
  }

  /**
   * Tells the vector indexes how many rows of each model a committed batch put, and has the lexemes
   * of its memories moved into the full-text index's tree.
   */
  private void indexLater(WriteBatch batch) {
    Map<String, long[]> puts = new java.util.HashMap<>();
    for (Change ch : batch.changes()) {
      if (ch instanceof Change.Put p) {
        puts.computeIfAbsent(p.memory().memory().embeddingModel(), m -> new long[1])[0]++;
      }
    }
    puts.forEach(
        (model, n) -> dimensions.of(model).ifPresent(d -> indexes.written(model, d, n[0])));
    if (!puts.isEmpty()) {
      texts.written();
    }
  }

  /**
   * Applies the batch atomically: in {@code guard}'s transaction when this thread holds a joinable
   * scope guard (committing it releases the scope lock as the data becomes visible), else in a
   * transaction of its own. A vector whose length differs from its model's known dimension is
   * refused before any SQL runs.
   */
  void write(WriteBatch batch, @Nullable Guard guard) {
    tenant.ensureOpen();
    Map<String, Integer> newModels = dimensions.check(batch);
    if (guard != null) {
      guard.commitWith((c, lock) -> apply(c, batch, newModels, true, true, lock));
    } else if (!batch.isEmpty()) {
      tenant.transaction("write", c -> apply(c, batch, newModels, false, true, null));
    }
    dimensions.record(newModels);
    statistics.written(batch.changes().stream().filter(ch -> ch instanceof Change.Put).count());
    indexLater(batch);
  }

  /**
   * Applies the batch and deletes the raw messages with these ids in one transaction, {@code
   * guard}'s as {@link #write} does when there is one; returns how many messages went.
   */
  long eraseMessages(List<String> messageIds, WriteBatch batch, @Nullable Guard guard) {
    tenant.ensureOpen();
    Map<String, Integer> newModels = dimensions.check(batch);
    long[] erased = {0};
    Guard.AheadWork<@Nullable Void> work =
        (c, lock) -> {
          apply(c, batch, newModels, guard != null, false, lock);
          erased[0] = MessageRows.delete(c, sql.messages, messageIds);
          return null;
        };
    if (guard != null) {
      guard.commitWith(work);
    } else {
      tenant.transaction("eraseMessages", c -> work.run(c, null));
    }
    dimensions.record(newModels);
    indexLater(batch);
    return erased[0];
  }

  /** Keeps the vectors of {@code model} for the memories that exist, in one transaction. */
  void putVectors(String model, Map<String, float[]> vectors) {
    tenant.transaction(
        "putVectors",
        c -> {
          Pg.enterTenant(c, tenant.tenantId(), tenant.role());
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO "
                      + sql.modelVectors
                      + " (model, memory_id, embedding) SELECT ?, id, "
                      + Rows.VECTOR_PARAM
                      + " FROM "
                      + sql.memories
                      + " WHERE id = ? ON CONFLICT (model, memory_id) DO UPDATE SET"
                      + " embedding = EXCLUDED.embedding")) {
            for (Map.Entry<String, float[]> e : vectors.entrySet()) {
              ps.setString(1, model);
              Rows.bindVector(ps, 2, e.getValue());
              ps.setString(3, e.getKey());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  /**
   * One transaction: the model's row and HNSW index first (as the owner), then, under the wall,
   * every memory with a second-slot vector of the model takes it as its own, and the slot empties.
   * Committing makes the whole switch visible at once.
   */
  long switchModel(String model) {
    tenant.ensureOpen();
    int[] dimension = {0};
    long switched =
        tenant.transaction(
            "switchModel",
            c -> {
              Pg.setTenant(c, tenant.tenantId());
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT vector_dims(v.embedding) FROM "
                          + sql.modelVectors
                          + " v JOIN "
                          + sql.memories
                          + " m ON m.id = v.memory_id WHERE v.model = ? LIMIT 1")) {
                ps.setString(1, model);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                  dimension[0] = rs.next() ? rs.getInt(1) : 0;
                }
              }
              long n = 0;
              if (dimension[0] > 0) {
                OptionalInt known = dimensions.of(model);
                if (known.isPresent() && known.getAsInt() != dimension[0]) {
                  throw ModelDimensions.mismatch(model, known.getAsInt(), "(switch)", dimension[0]);
                }
                ensureModel(c, model, dimension[0]);
                if (dimension[0] <= VectorSearch.MAX_HNSW_DIMENSIONS) {
                  // Built now, not later (VectorIndexes): the switch moves every memory to the
                  // model at once, and searches right after it must not fall back to exact scans.
                  Pg.exec(c, sql.createVectorIndex(model, dimension[0]));
                  Pg.exec(c, sql.vectorIndexWithoutStatistics(Names.vectorIndex(model)));
                }
                Pg.setRole(c, tenant.role());
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "UPDATE "
                            + sql.memories
                            + " m SET embedding = v.embedding, embedding_model = v.model FROM "
                            + sql.modelVectors
                            + " v WHERE v.memory_id = m.id AND v.model = ?")) {
                  ps.setString(1, model);
                  n = ps.executeUpdate();
                }
              } else {
                Pg.setRole(c, tenant.role());
              }
              Pg.exec(c, "DELETE FROM " + sql.modelVectors);
              return n;
            });
    if (dimension[0] > 0) {
      dimensions.record(Map.of(model, dimension[0]));
      indexes.written(model, dimension[0], switched);
    }
    return switched;
  }

  /**
   * Applies the batch on {@code c}, inside its transaction. {@code entered}: the transaction is a
   * scope guard's, which enters the tenant under the row-level-security role with its lock ({@link
   * Pg#lockAndEnter}); {@code lock}, when not null, is that statement, not sent yet: it goes first,
   * in the batch's round trip when the batch goes in one. {@code commit}: the batch is the
   * transaction's last work, so a small one may commit it in the same round trip ({@link
   * #inOneTrip}); the caller's commit then finds the transaction ended and sends nothing. Otherwise
   * the caller commits.
   */
  private Void apply(
      Connection c,
      WriteBatch batch,
      Map<String, Integer> newModels,
      boolean entered,
      boolean commit,
      @Nullable Ahead lock)
      throws SQLException {
    boolean oneTrip = rows(batch) <= ONE_TRIP_ROWS && !batch.isEmpty();
    if (lock != null && (!newModels.isEmpty() || !oneTrip)) {
      lock.runAlone(c);
      lock = null;
    }
    boolean enter = false;
    if (newModels.isEmpty()) {
      enter = !entered; // in the batch's round trip when it goes in one, else on its own
    } else if (entered) {
      // The row-level-security role may write the models table too (under the wall).
      for (Map.Entry<String, Integer> model : newModels.entrySet()) {
        ensureModel(c, model.getKey(), model.getValue());
      }
    } else {
      Pg.setTenant(c, tenant.tenantId());
      for (Map.Entry<String, Integer> model : newModels.entrySet()) {
        ensureModel(c, model.getKey(), model.getValue());
      }
      Pg.setRole(c, tenant.role());
    }
    try {
      if (oneTrip) {
        inOneTrip(c, batch, enter, commit, lock);
      } else {
        if (enter) {
          Pg.enterTenant(c, tenant.tenantId(), tenant.role()); // one round trip for both settings
        }
        applyChanges(c, batch.changes());
        upsertAll(c, sql.upsertHistory(), batch.history(), Rows.SHARED::bindHistory);
        upsertAll(c, sql.upsertMessage(), batch.messages(), Rows.SHARED::bindMessage);
        upsertAll(c, sql.upsertEvent(), batch.events(), Rows.SHARED::bindEvent);
      }
    } catch (SQLException e) {
      if (Pg.violates(e, "events_idempotency_key")) {
        throw new ConflictException("idempotency key already used by another operation");
      }
      throw e;
    }
    return null;
  }

  private static int rows(WriteBatch batch) {
    return batch.changes().size()
        + batch.history().size()
        + batch.messages().size()
        + batch.events().size();
  }

  /**
   * Runs the batch's rows (a batch not empty), in the order of the JDBC batches of the other path
   * (each table's rows in one statement when {@link #forRows} can), as one multi-statement text:
   * the driver sends them with a single Sync, so the server answers all of them in one round trip
   * (4 to 6 round trips fewer for an add: one per table, the tenant's settings and the commit).
   * {@code lock}, when not null, comes first (a scope guard's lock and settings), then, with {@code
   * enter}, the transaction's settings. {@code commit}: a {@code COMMIT} comes last, which the
   * server runs only if every statement before it succeeded (after an error it skips the rest until
   * the Sync, and the caller rolls back). The answer still comes after the commit's WAL flush:
   * durability is unchanged.
   */
  private void inOneTrip(
      Connection c, WriteBatch batch, boolean enter, boolean commit, @Nullable Ahead lock)
      throws SQLException {
    List<String> statements = new ArrayList<>();
    if (enter) {
      statements.add(Pg.ENTER_TENANT);
    }
    List<Change> changes = batch.changes();
    if (changes.stream().allMatch(ch -> ch instanceof Change.Put)) {
      statements.addAll(forRows(sql::upsertMemory, changes, ch -> ((Change.Put) ch).memory().id()));
    } else {
      for (Change change : changes) {
        statements.add(change instanceof Change.Put ? sql.upsertMemory() : sql.deleteMemory());
      }
    }
    statements.addAll(forRows(sql::upsertHistory, batch.history(), HistoryEntry::id));
    statements.addAll(forRows(sql::upsertMessage, batch.messages(), StoredMessage::id));
    statements.addAll(forRows(sql::upsertEvent, batch.events(), StoredEvent::id));
    if (commit) {
      statements.add("COMMIT");
    }
    if (lock != null) {
      statements.add(0, lock.sql());
    }
    try (PreparedStatement ps = c.prepareStatement(String.join(";\n", statements))) {
      int i = lock == null ? 1 : lock.bind(ps, 1);
      if (enter) {
        i = Pg.bindEnterTenant(ps, i, tenant.tenantId(), tenant.role());
      }
      for (Change change : batch.changes()) {
        i =
            switch (change) {
              case Change.Put p -> Rows.bindMemory(c, ps, i, p.memory());
              case Change.Remove r -> {
                ps.setString(i, r.id());
                yield i + 1;
              }
            };
      }
      for (HistoryEntry h : batch.history()) {
        i = Rows.SHARED.bindHistory(ps, i, h);
      }
      for (StoredMessage m : batch.messages()) {
        i = Rows.SHARED.bindMessage(ps, i, m);
      }
      for (StoredEvent e : batch.events()) {
        i = Rows.SHARED.bindEvent(ps, i, e);
      }
      ps.execute();
    }
  }

  /**
   * The statements that upsert {@code rows} ({@code upsert} gives the statement for a number of
   * rows): one statement of as many value lists when their ids differ, which the server plans and
   * runs once instead of once per row (every statement of a tenant transaction is planned anew:
   * {@code force_custom_plan}); else one per row, since {@code ON CONFLICT DO UPDATE} cannot touch
   * a row twice in one statement.
   */
  private static <T> List<String> forRows(
      IntFunction<String> upsert, List<T> rows, Function<T, String> id) {
    if (rows.size() <= 1 || rows.stream().map(id).distinct().count() < rows.size()) {
      return Collections.nCopies(rows.size(), upsert.apply(1));
    }
    return List.of(upsert.apply(rows.size()));
  }

  /** Binds each row to {@code upsert} and runs them as one JDBC batch; nothing for no rows. */
  private static <T> void upsertAll(
      Connection c, String upsert, List<T> rows, JdbcRows.RowBinder<T> binder) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(upsert)) {
      for (T row : rows) {
        binder.bind(ps, row);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Puts and removes in batch order: consecutive changes of one kind go in one JDBC batch. */
  private void applyChanges(Connection c, List<Change> changes) throws SQLException {
    if (changes.isEmpty()) {
      return;
    }
    try (PreparedStatement put = c.prepareStatement(sql.upsertMemory());
        PreparedStatement remove = c.prepareStatement(sql.deleteMemory())) {
      PreparedStatement pending = null;
      for (Change change : changes) {
        PreparedStatement next =
            switch (change) {
              case Change.Put p -> {
                Rows.bindMemory(c, put, p.memory());
                yield put;
              }
              case Change.Remove r -> {
                remove.setString(1, r.id());
                yield remove;
              }
            };
        if (pending != null && pending != next) {
          pending.executeBatch();
        }
        next.addBatch();
        pending = next;
      }
      if (pending != null) { // never null here: changes is not empty
        pending.executeBatch();
      }
    }
  }

  /**
   * Records a model's dimension the first time the tenant sees it: as the owner before the
   * transaction switches role, or, in a scope guard's transaction, as the row-level-security role
   * (which may write the table too). Its HNSW index comes later, once searches would use it ({@link
   * VectorIndexes}). Two writers introducing one model, in any processes, serialise on the primary
   * key; the loser checks the winner's dimension.
   */
  private void ensureModel(Connection c, String model, int dimension) throws SQLException {
    boolean created;
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + sql.models
                + " (model, dimension) VALUES (?, ?) ON CONFLICT (model) DO NOTHING")) {
      ps.setString(1, model);
      ps.setInt(2, dimension);
      created = ps.executeUpdate() == 1;
    }
    if (created) {
      return;
    }
    OptionalInt known = tenant.recordedDimension(c, model);
    if (known.isPresent() && known.getAsInt() != dimension) {
      throw ModelDimensions.mismatch(model, known.getAsInt(), "(new)", dimension);
    }
  }

  /** Deletes the window's rows and inserts the new ones in one transaction, under the wall. */
  void replaceConversation(String conversationId, List<ConversationMessage> messages) {
    tenant.transaction(
        "replaceConversation",
        c -> {
          Pg.enterTenant(c, tenant.tenantId(), tenant.role());
          try (PreparedStatement delete =
              c.prepareStatement(
                  "DELETE FROM " + sql.conversations + " WHERE conversation_id = ?")) {
            delete.setString(1, conversationId);
            delete.executeUpdate();
          }
          if (!messages.isEmpty()) {
            try (PreparedStatement insert =
                c.prepareStatement(JdbcRows.insertWindowMessage(sql.conversations))) {
              JdbcRows.addWindow(insert, conversationId, messages);
              insert.executeBatch();
            }
          }
          return null;
        });
  }
}
