package io.mnemo4j.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A read that may travel in front of another statement: its text goes first in a multi-statement
 * text, which the driver sends with one Sync, so both are answered in one round trip. The reader of
 * the combined statement binds it first and reads its result set first. Used by one thread.
 */
interface Ahead {
  /** The statement's text, without a terminating semicolon. */
  String sql();

  /** Binds its parameters from {@code from} on; returns the index after them. */
  int bind(PreparedStatement ps, int from) throws SQLException;

  /** Reads its result set. */
  void read(ResultSet rs) throws SQLException;

  /** Runs it alone, when the statement it would have travelled with was not sent. */
  default void runAlone(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql())) {
      bind(ps, 1);
      try (ResultSet rs = ps.executeQuery()) {
        read(rs);
      }
    }
  }
}
