package dev.gengate.notify;

/**
 * SQL on {@code notification_outbox}. Every time comparison uses the database clock
 * ({@code statement_timestamp()}), so instances on different machines agree on what is due and when a chat
 * is free. Durations travel as milliseconds.
 */
final class OutboxSql {
  private OutboxSql() {}

  static final String COLUMNS = "id, chat_id, language, event, generation_id, payload, attempts";

  /**
   * Parameters: user, event, generation, payload. Users without a Telegram id select no row, so get none; the
   * chat and the language are the user's at the time of the event.
   */
  static final String ENQUEUE =
      "INSERT INTO notification_outbox (user_id, chat_id, language, event, generation_id, payload)"
          + " SELECT id, telegram_id, language, $2, $3, $4 FROM users WHERE id = $1 AND telegram_id IS NOT NULL"
          + " ON CONFLICT (generation_id, event) DO NOTHING";

  /**
   * Serializes claims across every instance and process sharing the database, for the length of the claiming
   * transaction, so the global per-second budget below is counted exactly. Claims are a few milliseconds long.
   */
  static final String CLAIM_LOCK = "SELECT pg_advisory_xact_lock(hashtext('gengate.notify.claim'))";

  /** Attempts started during the last second, by anyone. */
  static final String STARTED_LAST_SECOND =
      "SELECT count(*) AS n FROM notification_outbox"
          + " WHERE claimed_at > statement_timestamp() - interval '1 second'";

  /**
   * Leases up to $3 due rows to $1 for $4 ms and counts the attempt. A row is eligible when it is due, not
   * leased by a live owner, the oldest pending row of its chat (messages to a chat go out in order, and a chat
   * waiting on retry_after or a backoff waits as a whole while other chats go on), and its chat had no attempt
   * end within the last $2 ms (per-chat spacing). {@code SKIP LOCKED} passes over rows another transaction is
   * updating, so no row is ever leased twice.
   */
  static final String CLAIM =
      "WITH due AS ("
          + " SELECT o.id FROM notification_outbox o"
          + " WHERE o.status = 'pending' AND o.next_attempt_at <= statement_timestamp()"
          + " AND (o.locked_until IS NULL OR o.locked_until < statement_timestamp())"
          + " AND NOT EXISTS (SELECT 1 FROM notification_outbox e"
          + "   WHERE e.chat_id = o.chat_id AND e.status = 'pending' AND e.id < o.id)"
          + " AND NOT EXISTS (SELECT 1 FROM notification_outbox s"
          + "   WHERE s.chat_id = o.chat_id"
          + "   AND s.last_attempt_at > statement_timestamp() - $2::bigint * interval '1 millisecond')"
          + " ORDER BY o.next_attempt_at, o.id LIMIT $3"
          + " FOR UPDATE OF o SKIP LOCKED)"
          + " UPDATE notification_outbox n SET locked_by = $1,"
          + " locked_until = statement_timestamp() + $4::bigint * interval '1 millisecond',"
          + " claimed_at = statement_timestamp(), attempts = n.attempts + 1"
          + " FROM due WHERE n.id = due.id"
          + " RETURNING n.id, n.chat_id, n.language, n.event, n.generation_id, n.payload, n.attempts";

  /** Parameters: id, owner. Only the lease holder records an outcome; a finished row keeps its sender's name. */
  static final String MARK_SENT =
      "UPDATE notification_outbox SET status = 'sent', sent_at = statement_timestamp(),"
          + " last_attempt_at = statement_timestamp(), last_error = NULL, locked_until = NULL"
          + " WHERE id = $1 AND locked_by = $2 AND status = 'pending'";

  /** Parameters: id, owner, delay in ms, error. */
  static final String RETRY_LATER =
      "UPDATE notification_outbox SET next_attempt_at = statement_timestamp() + $3::bigint * interval '1 millisecond',"
          + " last_attempt_at = statement_timestamp(), last_error = $4, locked_by = NULL, locked_until = NULL"
          + " WHERE id = $1 AND locked_by = $2 AND status = 'pending'";

  /** Parameters: id, owner, error. */
  static final String MARK_FAILED =
      "UPDATE notification_outbox SET status = 'failed', last_attempt_at = statement_timestamp(),"
          + " last_error = $3, locked_until = NULL"
          + " WHERE id = $1 AND locked_by = $2 AND status = 'pending'";

  /** Parameter: owner. Hands back what a stopping instance still holds, for others to send at once. */
  static final String RELEASE =
      "UPDATE notification_outbox SET locked_by = NULL, locked_until = NULL"
          + " WHERE locked_by = $1 AND status = 'pending'";

  static final String BACKLOG = "SELECT count(*) AS n FROM notification_outbox WHERE status = 'pending'";

  /** Parameter: retention in ms. Deletes finished rows older than that, a batch at a time. */
  static final String PURGE =
      "DELETE FROM notification_outbox WHERE id IN (SELECT id FROM notification_outbox"
          + " WHERE status <> 'pending' AND created_at < statement_timestamp() - $1::bigint * interval '1 millisecond'"
          + " LIMIT 1000)";
}
