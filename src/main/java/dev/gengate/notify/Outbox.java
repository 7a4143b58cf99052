package dev.gengate.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The enqueuing side of Telegram notifications, for the code that changes a generation's state.
 *
 * <p>Call {@link #enqueue} with the connection of the transaction that makes the change: the message is then
 * committed or rolled back with it, so a crash right after the change loses nothing and a rolled-back change
 * announces nothing. After the commit, call {@link #wake} so the message goes out without waiting for the next
 * poll. Delivery itself (retries, throttling, Telegram being down) happens later in {@link NotificationVerticle}
 * and can never fail or slow down the transaction.
 *
 * <p>When notifications are off (no {@code telegram.botToken}) nothing is written at all: nobody would ever
 * send those rows, and they would pile up. Turning notifications on later does not announce past events.
 */
public final class Outbox {
  /** An outbox that writes nothing: notifications are off. */
  public static final Outbox DISABLED = new Outbox(false);

  private final boolean enabled;

  private Outbox(boolean enabled) {
    this.enabled = enabled;
  }

  public static Outbox of(TelegramConfig config) {
    return config.enabled() ? new Outbox(true) : DISABLED;
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * Records that {@code event} happened to generation {@code generationId} of user {@code userId}, in the
   * caller's transaction. One statement, one round trip. Writes nothing when the user has no Telegram id, when
   * notifications are off, or when this event of this generation is already recorded (the unique
   * (generation_id, event) key), so calling it again on a retried transition is harmless.
   *
   * @param payload built with {@link NotificationPayload}; null means empty
   */
  public Future<Void> enqueue(SqlClient conn, UUID userId, NotificationEvent event, UUID generationId,
      JsonObject payload) {
    if (!enabled) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(OutboxSql.ENQUEUE)
        .execute(Tuple.of(userId, event.dbName(), generationId, payload == null ? new JsonObject() : payload))
        .mapEmpty();
  }

  /** Asks a {@link NotificationVerticle} to look at the outbox now. Call it after the transaction committed. */
  public static void wake(Vertx vertx) {
    vertx.eventBus().send(NotifyApi.WAKE, null);
  }
}
