package dev.gengate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The invariants of design section 2, checked for every user in the database: balance equals the sum of the
 * user's ledger entries, the active count equals the user's pending+processing generations, every failed or
 * cancelled generation has exactly one REFUND, no other generation has any, and every generation has exactly
 * one CHARGE matching what it was charged. Call {@link #assertHold()} at the end of every test that moves money.
 */
public final class LedgerInvariants {
  private static final String[] CHECKS = {
      // balance == sum of entries
      "SELECT 'balance ' || u.id || ': credits ' || u.credits || ' != entries ' || COALESCE(SUM(e.amount), 0)"
          + " FROM users u LEFT JOIN ledger_entries e ON e.user_id = u.id"
          + " GROUP BY u.id, u.credits HAVING u.credits <> COALESCE(SUM(e.amount), 0)",
      // active count == pending + processing
      "SELECT 'active ' || u.id || ': ' || u.active_generations || ' != ' || COUNT(g.id)"
          + " FROM users u LEFT JOIN generations g ON g.user_id = u.id AND g.status IN ('pending', 'processing')"
          + " GROUP BY u.id, u.active_generations HAVING u.active_generations <> COUNT(g.id)",
      // refunds: exactly one for failed/cancelled, none otherwise, for the amount charged
      "SELECT 'refunds ' || g.id || ' (' || g.status || '): ' || COUNT(e.id) || ' refund(s)'"
          + " FROM generations g LEFT JOIN ledger_entries e ON e.generation_id = g.id AND e.type = 'REFUND'"
          + " GROUP BY g.id, g.status, g.credits_charged"
          + " HAVING COUNT(e.id) <> (CASE WHEN g.status IN ('failed', 'cancelled') THEN 1 ELSE 0 END)"
          + " OR COALESCE(SUM(e.amount), 0) <> (CASE WHEN g.status IN ('failed', 'cancelled')"
          + " THEN g.credits_charged ELSE 0 END)",
      // charges: exactly one per generation, for its price
      "SELECT 'charges ' || g.id || ': ' || COUNT(e.id) || ' charge(s) totalling ' || COALESCE(SUM(e.amount), 0)"
          + " FROM generations g LEFT JOIN ledger_entries e ON e.generation_id = g.id AND e.type = 'CHARGE'"
          + " GROUP BY g.id, g.credits_charged"
          + " HAVING COUNT(e.id) <> 1 OR SUM(e.amount) <> -g.credits_charged",
  };

  private LedgerInvariants() {}

  /** Every violation found, one line each; empty when the ledger is healthy. */
  public static List<String> violations() {
    List<String> found = new ArrayList<>();
    try (Connection connection = TestInfra.get().jdbc(); Statement statement = connection.createStatement()) {
      for (String check : CHECKS) {
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
