package dev.gengate.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The delivery side of the outbox: leases due rows to one owner and records the outcome of each attempt. */
final class OutboxQueue {
  /** A leased row; {@code attempts} already counts the attempt about to be made. */
  record Claimed(long id, long chatId, String language, NotificationEvent event, UUID generationId,
      JsonObject payload, int attempts) {}

  /** What one claim found; {@code budgetSpent} when the global per-second budget capped it. */
  record Claim(List<Claimed> rows, boolean budgetSpent) {}

  private final Pool pool;
  private final String owner;
  private final int globalPerSecond;
  private final long perChatMillis;
  private final long leaseMillis;

  OutboxQueue(Pool pool, String owner, TelegramConfig config) {
    this.pool = pool;
    this.owner = owner;
    this.globalPerSecond = config.globalPerSecond();
    this.perChatMillis = config.perChatInterval().toMillis();
    // Long enough that a live instance always records its outcome first: the request timeout, plus slack.
    this.leaseMillis = config.requestTimeout().toMillis() * 2 + 5_000;
  }

  String owner() {
    return owner;
  }

  /** Leases at most {@code room} rows, fewer when the global per-second budget is spent. */
  Future<Claim> claim(int room) {
    return pool.withTransaction(conn -> conn.query(OutboxSql.CLAIM_LOCK).execute()
        .compose(locked -> conn.query(OutboxSql.STARTED_LAST_SECOND).execute())
        .compose(started -> {
          long budget = globalPerSecond - started.iterator().next().getLong("n");
          int limit = (int) Math.min(room, Math.max(0, budget));
          if (limit == 0) {
            return Future.succeededFuture(new Claim(List.of(), true));
          }
          return conn.preparedQuery(OutboxSql.CLAIM)
              .execute(Tuple.of(owner, perChatMillis, limit, leaseMillis))
              .map(rows -> {
                List<Claimed> claimed = new ArrayList<>(rows.size());
                for (Row row : rows) {
                  claimed.add(claimed(row));
                }
                return new Claim(claimed, limit < room && claimed.size() == limit);
              });
        }));
  }

  Future<Void> markSent(long id) {
    return update(OutboxSql.MARK_SENT, Tuple.of(id, owner));
  }

  Future<Void> retryLater(long id, long delayMillis, String error) {
    return update(OutboxSql.RETRY_LATER, Tuple.of(id, owner, delayMillis, error));
  }

  Future<Void> markFailed(long id, String error) {
    return update(OutboxSql.MARK_FAILED, Tuple.of(id, owner, error));
  }

  /** Lets go of every row this owner still leases (on stop), so another instance can send them at once. */
  Future<Integer> release() {
    return pool.preparedQuery(OutboxSql.RELEASE).execute(Tuple.of(owner)).map(rows -> rows.rowCount());
  }

  Future<Long> backlog() {
    return pool.query(OutboxSql.BACKLOG).execute().map(rows -> rows.iterator().next().getLong("n"));
  }

  Future<Integer> purge(long retentionMillis) {
    return pool.preparedQuery(OutboxSql.PURGE).execute(Tuple.of(retentionMillis)).map(rows -> rows.rowCount());
  }

  private Future<Void> update(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).mapEmpty();
  }

  private static Claimed claimed(Row row) {
    Object payload = row.getValue("payload");
    return new Claimed(
        row.getLong("id"),
        row.getLong("chat_id"),
        row.getString("language"),
        NotificationEvent.fromDb(row.getString("event")),
        row.getUUID("generation_id"),
        payload instanceof JsonObject json ? json : new JsonObject(),
        row.getInteger("attempts"));
  }
}
