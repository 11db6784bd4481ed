package io.mnemo4j.store.embedded;

import io.mnemo4j.Memory;
import io.mnemo4j.internal.store.MessageRows;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rows of the second vector slot, where a change of embedding model keeps the new model's
 * vectors until the switch makes them the memories' own. Static helpers on the caller's connection;
 * not thread-safe on their own (the engine's locks order them).
 */
final class VectorSlotRows {
  private VectorSlotRows() {}

  /** Keeps the vectors of {@code model} for the memories that exist, in one transaction. */
  static void putVectors(Connection c, String model, Map<String, float[]> vectors)
      throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT OR REPLACE INTO model_vectors(model, memory_id, embedding) "
                + "SELECT ?, id, ? FROM memories WHERE id = ?")) {
      for (Map.Entry<String, float[]> e : vectors.entrySet()) {
        ps.setString(1, model);
        ps.setBytes(2, Rows.floats(e.getValue()));
        ps.setString(3, e.getKey());
        ps.addBatch();
      }
      ps.executeBatch();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** How many existing memories have a vector of {@code model} in the second slot. */
  static long countVectors(Connection c, String model) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM model_vectors v JOIN memories m ON m.id = v.memory_id "
                + "WHERE v.model = ?")) {
      ps.setString(1, model);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** One batch of a model switch and the change-log seq it was written up to. */
  record Switched(long seq, WriteBatch batch) {}

  /**
   * Puts every memory that has a second-slot vector of {@code model} again with that vector as its
   * own, {@value Rows#SQL_CHUNK} per batch, and empties the second slot, all in one transaction;
   * the batches (to index) are handed to {@code check} before they are written, which may refuse
   * them.
   */
  static List<Switched> switchModel(
      Connection c,
      Map<String, PreparedStatement> statements,
      String model,
      java.util.function.Consumer<WriteBatch> check)
      throws SQLException {
    List<Switched> out = new ArrayList<>();
    c.setAutoCommit(false);
    try {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT v.memory_id FROM model_vectors v JOIN memories m ON m.id = v.memory_id "
                  + "WHERE v.model = ? ORDER BY v.memory_id")) {
        ps.setString(1, model);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      for (int i = 0; i < ids.size(); i += Rows.SQL_CHUNK) {
        List<String> chunk = ids.subList(i, Math.min(ids.size(), i + Rows.SQL_CHUNK));
        List<Change> puts = new ArrayList<>(chunk.size());
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + Rows.MEMORY_COLUMNS
                    + ", (SELECT embedding FROM model_vectors WHERE model = ? AND memory_id = id)"
                    + " FROM memories WHERE id IN ("
                    + MessageRows.marks(chunk.size())
                    + ") ORDER BY id")) {
          ps.setString(1, model);
          MessageRows.bind(ps, 2, chunk);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              StoredMemory before = Rows.memory(rs);
              Memory m = before.memory();
              Memory after = m.withText(m.text(), m.hash(), m.metadata(), m.updatedAt(), model);
              float[] vector = Rows.floats(rs.getBytes(21));
              puts.add(new Change.Put(new StoredMemory(after, vector, before.context())));
            }
          }
        }
        WriteBatch batch = new WriteBatch(puts, List.of(), List.of());
        check.accept(batch);
        out.add(new Switched(Rows.writeChanges(c, statements, puts), batch));
      }
      Sqlite.exec(c, "DELETE FROM model_vectors");
      c.commit();
      return out;
    } catch (SQLException | RuntimeException e) {
      Rows.closeAll(statements);
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }
}
