package dev.gengate.ledger;

/** SQL on users, api_keys and ledger entries outside generations. Every balance change is guarded here. */
final class UserSql {
  private UserSql() {}

  static final String USER_COLUMNS =
      "id, telegram_id, language, credits, is_premium, active_generations, total_spent_credits,"
          + " total_generations, last_active_at, created_at";

  static final String ENTRY_COLUMNS =
      "id, user_id, type, amount, balance_after, generation_id, reason, created_at, request_hash";

  static final String INSERT_USER =
      "INSERT INTO users (telegram_id, language, is_premium) VALUES ($1, $2, $3) RETURNING " + USER_COLUMNS;

  static final String INSERT_API_KEY = "INSERT INTO api_keys (key_hash, user_id, key_prefix) VALUES ($1, $2, $3)";

  static final String FIND_BY_KEY_HASH =
      "SELECT u.id, u.telegram_id, u.language, u.credits, u.is_premium, u.active_generations,"
          + " u.total_spent_credits, u.total_generations, u.last_active_at, u.created_at"
          + " FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL";

  static final String FIND_USER = "SELECT " + USER_COLUMNS + " FROM users WHERE id = $1";

  static final String SET_PREMIUM = "UPDATE users SET is_premium = $2 WHERE id = $1 RETURNING " + USER_COLUMNS;

  /**
   * Applies a signed amount and records it, in one statement: the balance guard is in the WHERE clause, so a
   * negative amount larger than the balance touches no row and inserts no entry. A repeated idempotency key
   * violates {@code ledger_entries_idempotency} and rolls the whole statement back.
   * Parameters: user, amount, type, reason, idempotency key, request hash.
   */
  static final String APPLY_CREDITS =
      "WITH u AS (UPDATE users SET credits = credits + $2 WHERE id = $1 AND credits + $2 >= 0"
          + " RETURNING id, credits)"
          + " INSERT INTO ledger_entries (user_id, type, amount, balance_after, reason, idempotency_key, request_hash)"
          + " SELECT id, $3, $2, credits, $4, $5, $6 FROM u RETURNING " + ENTRY_COLUMNS;

  static final String FIND_ENTRY_BY_KEY =
      "SELECT " + ENTRY_COLUMNS + " FROM ledger_entries WHERE user_id = $1 AND idempotency_key = $2";

  static final String LIST_ENTRIES =
      "SELECT " + ENTRY_COLUMNS + " FROM ledger_entries WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";

  /**
   * Serializes a user's money-moving transactions from their first statement, so an idempotency-key lookup that
   * follows sees any concurrent use of the key that committed first.
   */
  static final String LOCK_USER = "SELECT id FROM users WHERE id = $1 FOR UPDATE";

  static final String PING = "SELECT 1";
}
