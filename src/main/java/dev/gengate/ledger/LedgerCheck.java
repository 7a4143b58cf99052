package dev.gengate.ledger;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies the ledger invariants of design section 2 for every user and reports each violation as one line:
 * balance equals the sum of the user's entries; the active count equals the user's pending+processing
 * generations; every failed or cancelled generation has exactly one REFUND of what it was charged and no other
 * generation has any; every generation has exactly one CHARGE of its price. Run in one read-only snapshot.
 */
public final class LedgerCheck {
  /** Each query yields one text column per violation. */
  public static final List<String> QUERIES = List.of(
      "SELECT 'balance: user ' || u.id || ' has ' || u.credits || ' credits but its entries sum to '"
          + " || COALESCE(SUM(e.amount), 0)"
          + " FROM users u LEFT JOIN ledger_entries e ON e.user_id = u.id"
          + " GROUP BY u.id, u.credits HAVING u.credits <> COALESCE(SUM(e.amount), 0)",
      "SELECT 'active: user ' || u.id || ' counts ' || u.active_generations || ' active generations but has '"
          + " || COUNT(g.id) || ' pending or processing'"
          + " FROM users u LEFT JOIN generations g ON g.user_id = u.id AND g.status IN ('pending', 'processing')"
          + " GROUP BY u.id, u.active_generations HAVING u.active_generations <> COUNT(g.id)",
      "SELECT 'refund: generation ' || g.id || ' (' || g.status || ') has ' || COUNT(e.id)"
          + " || ' refund(s) totalling ' || COALESCE(SUM(e.amount), 0) || ', charged ' || g.credits_charged"
          + " FROM generations g LEFT JOIN ledger_entries e ON e.generation_id = g.id AND e.type = 'REFUND'"
          + " GROUP BY g.id, g.status, g.credits_charged"
          + " HAVING COUNT(e.id) <> (CASE WHEN g.status IN ('failed', 'cancelled') THEN 1 ELSE 0 END)"
          + " OR COALESCE(SUM(e.amount), 0)"
          + " <> (CASE WHEN g.status IN ('failed', 'cancelled') THEN g.credits_charged ELSE 0 END)",
      "SELECT 'charge: generation ' || g.id || ' has ' || COUNT(e.id) || ' charge(s) totalling '"
          + " || COALESCE(SUM(e.amount), 0) || ', price ' || g.credits_charged"
          + " FROM generations g LEFT JOIN ledger_entries e ON e.generation_id = g.id AND e.type = 'CHARGE'"
          + " GROUP BY g.id, g.credits_charged"
          + " HAVING COUNT(e.id) <> 1 OR COALESCE(SUM(e.amount), 0) <> -g.credits_charged");

  private static final String SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

  private final Pool pool;

  LedgerCheck(Pool pool) {
    this.pool = pool;
  }

  /** Every violation found; empty when the ledger is healthy. */
  Future<List<String>> run() {
    return pool.withTransaction(conn -> {
      List<String> violations = new ArrayList<>();
      Future<Void> chain = conn.query(SNAPSHOT).execute().mapEmpty();
      for (String query : QUERIES) {
        chain = chain.compose(v -> conn.query(query).execute().map(rows -> {
          for (Row row : rows) {
            violations.add(row.getString(0));
          }
          return null;
        }));
      }
      return chain.map(v -> violations);
    });
  }
}
