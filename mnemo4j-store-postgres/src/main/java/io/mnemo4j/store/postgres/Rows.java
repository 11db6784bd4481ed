package io.mnemo4j.store.postgres;

import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.internal.store.JdbcRows;
import io.mnemo4j.internal.store.StoredJson;
import io.mnemo4j.spi.StoredMemory;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Map;

/**
 * Mapping between a memory and its row in a tenant schema ({@link TenantSql}), and vectors in
 * binary both ways; JSON columns are {@link StoredJson}'s text. The rows both stores keep alike are
 * {@link #SHARED}'s. Thread-safe (stateless).
 */
final class Rows {
  /** The rows this store keeps as the embedded store does: history, events, messages, windows. */
  static final JdbcRows SHARED = new JdbcRows(Pg.TIMES);

  /** The raw-message rows this store shares with the embedded store. */
  static final io.mnemo4j.internal.store.MessageRows MESSAGES =
      new io.mnemo4j.internal.store.MessageRows(Pg.TIMES);

  private Rows() {}

  /** Binds a memory to {@link TenantSql#upsertMemory()}. */
  static void bindMemory(Connection c, PreparedStatement ps, StoredMemory stored)
      throws SQLException {
    bindMemory(c, ps, 1, stored);
  }

  /**
   * Binds a memory to the 20 parameters of {@link TenantSql#upsertMemory()} from {@code from} on (a
   * statement of several rows); returns the index after them.
   */
  static int bindMemory(Connection c, PreparedStatement ps, int from, StoredMemory stored)
      throws SQLException {
    Memory m = stored.memory();
    ps.setString(from, m.id());
    ps.setString(from + 1, m.text());
    ps.setString(from + 2, m.hash());
    ps.setString(from + 3, m.scope().userId());
    ps.setString(from + 4, m.scope().agentId());
    ps.setString(from + 5, m.scope().runId());
    ps.setString(from + 6, StoredJson.write(m.metadata()));
    ps.setArray(from + 7, c.createArrayOf("text", m.categories().toArray()));
    ps.setString(from + 8, m.role() == null ? null : m.role().wireName());
    ps.setString(from + 9, m.actor());
    ps.setBigDecimal(from + 10, Pg.nanos(m.createdAt()));
    ps.setBigDecimal(from + 11, Pg.nanos(m.updatedAt()));
    ps.setBigDecimal(from + 12, Pg.nanosOrNull(m.expiresAt()));
    ps.setBigDecimal(from + 13, Pg.nanosOrNull(m.validFrom()));
    ps.setBigDecimal(from + 14, Pg.nanosOrNull(m.validTo()));
    ps.setString(from + 15, m.type().wireName());
    ps.setString(from + 16, StoredJson.writeProvenance(m.provenance()));
    ps.setString(from + 17, m.embeddingModel());
    if (stored.embedding().length == 0) {
      ps.setNull(from + 18, Types.VARCHAR); // pgvector has no empty vector; null casts to any type
    } else {
      bindVector(ps, from + 18, stored.embedding());
    }
    ps.setString(from + 19, stored.context());
    return from + 20;
  }

  /** Reads a row selected with {@link TenantSql#MEMORY_COLUMNS}. */
  static StoredMemory memory(ResultSet rs) throws SQLException {
    Map<String, Object> metadata;
    Memory.Provenance provenance;
    try {
      metadata = StoredJson.readObject(rs.getString(7));
      provenance = StoredJson.readProvenance(rs.getString(17));
    } catch (IOException e) {
      throw new SQLException("a stored JSON column is malformed", e);
    }
    String role = rs.getString(9);
    Array categories = rs.getArray(8);
    Memory m =
        new Memory(
            rs.getString(1),
            rs.getString(2),
            rs.getString(3),
            new Scope(rs.getString(4), rs.getString(5), rs.getString(6)),
            metadata,
            List.of((String[]) categories.getArray()),
            role == null ? null : Role.parse("role", role),
            rs.getString(10),
            Pg.instant(rs.getBigDecimal(11)),
            Pg.instant(rs.getBigDecimal(12)),
            Pg.instantOrNull(rs, 13),
            Pg.instantOrNull(rs, 14),
            Pg.instantOrNull(rs, 15),
            provenance,
            rs.getString(18),
            MemoryType.parse("memory_type", rs.getString(16)));
    byte[] embedding = rs.getBytes(19);
    return new StoredMemory(
        m, embedding == null ? new float[0] : fromBinary(embedding), rs.getString(20));
  }

  /**
   * A bound vector parameter as SQL: pgjdbc sends a {@code float[]} as a binary {@code real[]},
   * which pgvector casts to {@code vector} without parsing text. Its text form cost 30 us per
   * 384-float vector to parse on the server plus the formatting here; measured over JDBC, a
   * statement binding 10 such vectors took 0.81-0.96 ms in text and 0.19-0.28 ms in binary.
   */
  static final String VECTOR_PARAM = "?::real[]::vector";

  /** {@link #VECTOR_PARAM} of a fixed dimension, as the HNSW index's expression casts it. */
  static String vectorParam(int dimension) {
    return VECTOR_PARAM + "(" + dimension + ")";
  }

  /** Binds {@code v} to a {@link #VECTOR_PARAM} placeholder; the floats travel exactly. */
  static void bindVector(PreparedStatement ps, int index, float[] v) throws SQLException {
    ps.setObject(index, v);
  }

  /**
   * A vector from pgvector's binary form ({@code vector_send}): its dimension as a 16-bit integer,
   * 16 unused bits, then each float in network byte order. Exactly the stored floats.
   */
  static float[] fromBinary(byte[] bytes) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    if (bytes.length < 4) {
      throw new IllegalStateException("not a pgvector binary vector");
    }
    int dimension = Short.toUnsignedInt(in.getShort());
    in.getShort();
    if (bytes.length != 4 + 4 * dimension) {
      throw new IllegalStateException("not a pgvector binary vector of " + dimension + " floats");
    }
    float[] out = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      out[i] = in.getFloat();
    }
    return out;
  }
}
