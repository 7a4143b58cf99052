package dev.gengate.ledger;

/**
 * All SQL on generations, their images and the ledger entries they cause. Every state change is guarded in its
 * WHERE clause ({@code status IN (...)}, lease owner and attempt, deadline), so a transition that lost a race
 * touches no row; the unique indexes on ledger entries make a second CHARGE or REFUND impossible anyway.
 */
final class GenerationSql {
  private GenerationSql() {}

  private static final String[] COLUMNS = {
      "id", "user_id", "status", "model", "prompt", "params", "credits_charged", "idempotency_key", "result",
      "error_code", "error_message", "attempts", "created_at", "started_at", "finished_at", "timeout_at"};

  /** The columns {@link Rows#generation} reads, each prefixed (e.g. {@code "g."}) where a join needs it. */
  static String columns(String prefix) {
    StringBuilder out = new StringBuilder();
    for (String column : COLUMNS) {
      out.append(out.isEmpty() ? "" : ", ").append(prefix).append(column);
    }
    return out.toString();
  }

  static final String GENERATION_COLUMNS = columns("");

  // ---- creation ----

  /** The newest generation with this key (any status): decides replay, conflict, mismatch or a fresh start. */
  static final String FIND_BY_KEY =
      "SELECT " + GENERATION_COLUMNS + ", request_hash FROM generations WHERE user_id = $1 AND idempotency_key = $2"
          + " ORDER BY created_at DESC, id DESC LIMIT 1";

  /**
   * Debits the price and takes an active slot, or touches no row when the balance or the tier's slots (by the
   * user's own premium flag, read in this statement) do not allow it. Parameters: user, price, premium maximum,
   * free maximum.
   */
  static final String DEBIT =
      "UPDATE users SET credits = credits - $2, active_generations = active_generations + 1,"
          + " total_spent_credits = total_spent_credits + $2, total_generations = total_generations + 1,"
          + " last_active_at = now()"
          + " WHERE id = $1 AND credits >= $2"
          + " AND active_generations < (CASE WHEN is_premium THEN $3::int ELSE $4::int END)"
          + " RETURNING credits";

  /** Why a debit touched no row. */
  static final String USER_STATE = "SELECT credits, active_generations, is_premium FROM users WHERE id = $1";

  /** Parameters: id, user, model, prompt, params, price, idempotency key, request hash, timeout in ms. */
  static final String INSERT_GENERATION =
      "INSERT INTO generations (id, user_id, status, model, prompt, params, credits_charged, idempotency_key,"
          + " request_hash, timeout_at)"
          + " VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, now() + $9::bigint * interval '1 millisecond')"
          + " RETURNING " + GENERATION_COLUMNS;

  /** Parameters: user, generation, amount (negative), balance after, reason. */
  static final String INSERT_CHARGE =
      "INSERT INTO ledger_entries (user_id, generation_id, type, amount, balance_after, reason)"
          + " VALUES ($1, $2, 'CHARGE', $3, $4, $5)";

  // ---- execution ----

  /**
   * pending → processing for up to $3 generations whose deadline has not passed, earliest deadline first,
   * skipping rows another instance is claiming. Parameters: owner, lease in ms, limit.
   */
  static final String CLAIM =
      "WITH picked AS (SELECT id FROM generations WHERE status = 'pending' AND timeout_at > now()"
          + " ORDER BY timeout_at LIMIT $3 FOR UPDATE SKIP LOCKED)"
          + " UPDATE generations g SET status = 'processing', lease_owner = $1,"
          + " lease_expires_at = now() + $2::bigint * interval '1 millisecond', attempts = g.attempts + 1,"
          + " started_at = now()"
          + " FROM picked WHERE g.id = picked.id"
          + " RETURNING " + columns("g.") + ","
          + " GREATEST(0, (EXTRACT(EPOCH FROM (g.timeout_at - now())) * 1000)::bigint) AS remaining_ms";

  /** Extends the leases this owner still holds. Parameters: ids, attempts (parallel arrays), lease ms, owner. */
  static final String HEARTBEAT =
      "UPDATE generations g SET lease_expires_at = now() + $3::bigint * interval '1 millisecond'"
          + " FROM unnest($1::uuid[], $2::int[]) AS h(id, attempts)"
          + " WHERE g.id = h.id AND g.attempts = h.attempts AND g.status = 'processing' AND g.lease_owner = $4"
          + " RETURNING g.id";

  /** processing → completed, only for the attempt that holds the lease. Parameters: id, owner, attempt, result. */
  static final String COMPLETE =
      "UPDATE generations SET status = 'completed', result = $4, finished_at = now(),"
          + " lease_owner = NULL, lease_expires_at = NULL"
          + " WHERE id = $1 AND status = 'processing' AND lease_owner = $2 AND attempts = $3"
          + " RETURNING " + GENERATION_COLUMNS;

  /** Completion frees the active slot; the charge stands. */
  static final String RELEASE_SLOT =
      "UPDATE users SET active_generations = active_generations - 1 WHERE id = $1";

  static final String INSERT_IMAGE =
      "INSERT INTO generation_images (generation_id, n, content_type, content) VALUES ($1, $2, $3, $4)";

  // ---- terminal failure and cancellation: each guarded UPDATE is followed by REFUND_USER + INSERT_REFUND ----

  private static final String TERMINATE =
      "UPDATE generations SET status = $2, error_code = $3, error_message = $4, finished_at = now(),"
          + " lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND ";

  /** The executor's failure of its own attempt. Extra parameters: owner, attempt. */
  static final String FAIL_OWNED =
      TERMINATE + "status = 'processing' AND lease_owner = $5 AND attempts = $6 RETURNING " + GENERATION_COLUMNS;

  /** Deadline passed while pending or processing (the rescuer). */
  static final String FAIL_OVERDUE =
      TERMINATE + "status IN ('pending', 'processing') AND timeout_at <= now() RETURNING " + GENERATION_COLUMNS;

  /** Lease expired and no attempt left (the rescuer). Extra parameter: max attempts. */
  static final String FAIL_LEASE_EXPIRED =
      TERMINATE + "status = 'processing' AND lease_expires_at < now() AND attempts >= $5"
          + " RETURNING " + GENERATION_COLUMNS;

  /** The owner's cancellation. Extra parameter: user. */
  static final String CANCEL =
      TERMINATE + "user_id = $5 AND status IN ('pending', 'processing') RETURNING " + GENERATION_COLUMNS;

  /** Gives back the price and the active slot. Parameters: user, amount. */
  static final String REFUND_USER =
      "UPDATE users SET credits = credits + $2, active_generations = active_generations - 1 WHERE id = $1"
          + " RETURNING credits";

  /** Parameters: user, generation, amount (positive), balance after, reason. */
  static final String INSERT_REFUND =
      "INSERT INTO ledger_entries (user_id, generation_id, type, amount, balance_after, reason)"
          + " VALUES ($1, $2, 'REFUND', $3, $4, $5)";

  // ---- the rescuer ----

  /** Unfinished work that is overdue or whose lease expired. Parameter: limit. */
  static final String FIND_STRANDED =
      "SELECT id, attempts, timeout_at <= now() AS overdue FROM generations"
          + " WHERE status IN ('pending', 'processing')"
          + " AND (timeout_at <= now() OR (status = 'processing' AND lease_expires_at < now()))"
          + " ORDER BY timeout_at LIMIT $1";

  /** processing with an expired lease → pending, while attempts and time remain. Parameters: id, max attempts. */
  static final String REQUEUE =
      "UPDATE generations SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL"
          + " WHERE id = $1 AND status = 'processing' AND lease_expires_at < now() AND attempts < $2"
          + " AND timeout_at > now() RETURNING id";

  /**
   * A graceful stop hands back the attempts its owner still runs: back to pending at once for another instance,
   * and not counted as an attempt (nothing went wrong with them). Parameter: owner.
   */
  static final String RELEASE =
      "UPDATE generations SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL,"
          + " attempts = attempts - 1"
          + " WHERE lease_owner = $1 AND status = 'processing' AND attempts > 0 RETURNING id";

  /** For the active-generations gauge (served by the partial index of unfinished work). */
  static final String COUNT_UNFINISHED = "SELECT count(*) FROM generations WHERE status IN ('pending', 'processing')";

  // ---- reads ----

  static final String FIND_FOR_USER =
      "SELECT " + GENERATION_COLUMNS + " FROM generations WHERE id = $1 AND user_id = $2";

  /** Newest first, keyset-paginated on (created_at, id). Parameters: user, status or null, before time, id, limit. */
  static final String LIST =
      "SELECT " + GENERATION_COLUMNS + " FROM generations WHERE user_id = $1"
          + " AND ($2::text IS NULL OR status = $2)"
          + " AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))"
          + " ORDER BY created_at DESC, id DESC LIMIT $5";

  static final String FIND_IMAGE =
      "SELECT i.content_type, i.content FROM generation_images i JOIN generations g ON g.id = i.generation_id"
          + " WHERE g.id = $1 AND g.user_id = $2 AND i.n = $3";
}
