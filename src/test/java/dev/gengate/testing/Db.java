package dev.gengate.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Direct reads and edits of the test database, for assertions and for staging states (e.g. an expired lease). */
public final class Db {
  private Db() {}

  /** The first column of the first row (null when there is no row). */
  public static Object value(String sql, Object... args) {
    try (Connection connection = TestInfra.get().jdbc(); PreparedStatement statement = prepare(connection, sql, args);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? rows.getObject(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static long count(String sql, Object... args) {
    Object value = value(sql, args);
    return value == null ? 0 : ((Number) value).longValue();
  }

  public static int update(String sql, Object... args) {
    try (Connection connection = TestInfra.get().jdbc(); PreparedStatement statement = prepare(connection, sql, args)) {
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static long refunds(String generationId) {
    return count("SELECT count(*) FROM ledger_entries WHERE generation_id = ?::uuid AND type = 'REFUND'",
        generationId);
  }

  public static long charges(String generationId) {
    return count("SELECT count(*) FROM ledger_entries WHERE generation_id = ?::uuid AND type = 'CHARGE'",
        generationId);
  }

  public static String status(String generationId) {
    return (String) value("SELECT status FROM generations WHERE id = ?::uuid", generationId);
  }

  private static PreparedStatement prepare(Connection connection, String sql, Object... args) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      statement.setObject(i + 1, args[i]);
    }
    return statement;
  }
}
