package dev.gengate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.ledger.LedgerCheck;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The invariants of design section 2 for every user in the test database, read directly over JDBC with the
 * same queries as the service's own ledger check ({@link LedgerCheck#QUERIES}). Call {@link #assertHold()} at
 * the end of every test that moves money.
 */
public final class LedgerInvariants {
  private LedgerInvariants() {}

  /** Every violation found, one line each; empty when the ledger is healthy. */
  public static List<String> violations() {
    List<String> found = new ArrayList<>();
    try (Connection connection = TestInfra.get().jdbc(); Statement statement = connection.createStatement()) {
      for (String check : LedgerCheck.QUERIES) {
        try (ResultSet rows = statement.executeQuery(check)) {
          while (rows.next()) {
            found.add(rows.getString(1));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return found;
  }

  public static void assertHold() {
    assertThat(violations()).as("ledger invariant violations").isEmpty();
  }
}
