package dev.gengate.notify;

import dev.gengate.common.config.ConfigReader;
import dev.gengate.testing.Api;
import dev.gengate.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the notification tests share: a bot token, service settings fast enough for tests, users with Telegram
 * ids, enqueuing in a transaction like the generation side will, and reading the outbox back over JDBC.
 */
final class NotifyFixture {
  static final String TOKEN = "987654321:AAH-secret-Token_of_the_test_bot";
  static final Outbox OUTBOX = Outbox.of(TelegramConfig.from(
      new ConfigReader(new JsonObject().put("telegram", new JsonObject().put("botToken", TOKEN)))));
  private static final AtomicLong CHAT_IDS = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50));

  /** A row of the outbox as the tests look at it. */
  record OutboxRow(long id, long chatId, String language, String event, UUID generationId, String status,
      int attempts, String lastError) {}

  private NotifyFixture() {}

  /** Fast test settings, no throttling, talking to {@code baseUrl}; {@code changes} override them. */
  static JsonObject settings(String baseUrl, JsonObject changes) {
    JsonObject telegram = new JsonObject()
        .put("botToken", TOKEN)
        .put("apiBaseUrl", baseUrl)
        .put("pollInterval", "50ms")
        .put("perChatInterval", "0ms")
        .put("globalPerSecond", 1000)
        .put("maxAttempts", 5)
        .put("backoffBase", "100ms")
        .put("backoffMax", "400ms")
        .put("requestTimeout", "500ms")
        .mergeIn(changes);
    return new JsonObject().put("telegram", telegram);
  }

  static JsonObject settings(String baseUrl) {
    return settings(baseUrl, new JsonObject());
  }

  static long newChatId() {
    return CHAT_IDS.incrementAndGet();
  }

  /** A user created through the admin API; {@code chatId} null for a user without Telegram. */
  static UUID createUser(Api api, Long chatId, String language) {
    JsonObject body = new JsonObject().put("language", language);
    if (chatId != null) {
      body.put("telegramId", chatId);
    }
    return UUID.fromString(api.createUser(body).id());
  }

  static Pool pool(Vertx vertx) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(4))
        .connectingTo(PgConnectOptions.fromUri(TestInfra.get().postgresUrl()))
        .using(vertx)
        .build();
  }

  /** Enqueues in a transaction of its own, as a generation transition would, then wakes the senders. */
  static UUID enqueue(Vertx vertx, Pool pool, UUID userId, NotificationEvent event, JsonObject payload) {
    UUID generationId = UUID.randomUUID();
    enqueue(vertx, pool, userId, event, generationId, payload);
    return generationId;
  }

  static void enqueue(Vertx vertx, Pool pool, UUID userId, NotificationEvent event, UUID generationId,
      JsonObject payload) {
    Api.await(pool.withTransaction(conn -> OUTBOX.enqueue(conn, userId, event, generationId, payload)));
    Outbox.wake(vertx);
  }

  static List<OutboxRow> rows(String where, Object... params) {
    String sql = "SELECT id, chat_id, language, event, generation_id, status, attempts, last_error"
        + " FROM notification_outbox WHERE " + where + " ORDER BY id";
    try (Connection connection = TestInfra.get().jdbc();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      List<OutboxRow> rows = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          rows.add(new OutboxRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
              rs.getObject(5, UUID.class), rs.getString(6), rs.getInt(7), rs.getString(8)));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<OutboxRow> rowsOfChat(long chatId) {
    return rows("chat_id = ?", chatId);
  }

  static OutboxRow row(UUID generationId, NotificationEvent event) {
    List<OutboxRow> rows = rows("generation_id = ? AND event = ?", generationId, event.dbName());
    if (rows.size() != 1) {
      throw new AssertionError("expected one outbox row for " + generationId + "/" + event + ", got " + rows);
    }
    return rows.get(0);
  }

  /** Waits until the row reaches the status; returns it. */
  static OutboxRow awaitStatus(UUID generationId, NotificationEvent event, String status, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    OutboxRow row = row(generationId, event);
    while (!row.status().equals(status) && System.nanoTime() < deadline) {
      FakeTelegram.sleep(20);
      row = row(generationId, event);
    }
    if (!row.status().equals(status)) {
      throw new AssertionError("outbox row did not become " + status + " within " + timeout + ": " + row);
    }
    return row;
  }

  /** When the latest attempt on each of these generations' messages started, in ms (database clock), sorted. */
  static List<Long> attemptStartMillis(List<UUID> generationIds) {
    try (Connection connection = TestInfra.get().jdbc();
        PreparedStatement statement = connection.prepareStatement("SELECT (extract(epoch FROM claimed_at) * 1000)"
            + "::bigint FROM notification_outbox WHERE generation_id = ANY (?) AND claimed_at IS NOT NULL"
            + " ORDER BY claimed_at")) {
      statement.setArray(1, connection.createArrayOf("uuid", generationIds.toArray()));
      List<Long> starts = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          starts.add(rs.getLong(1));
        }
      }
      return starts;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The instances that made the last attempt on these generations' messages. */
  static Set<String> senders(List<UUID> generationIds) {
    try (Connection connection = TestInfra.get().jdbc();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT DISTINCT locked_by FROM notification_outbox WHERE generation_id = ANY (?)")) {
      statement.setArray(1, connection.createArrayOf("uuid", generationIds.toArray()));
      Set<String> senders = new HashSet<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          senders.add(rs.getString(1));
        }
      }
      return senders;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Ends every message still pending, so no test's leftovers reach another test's Telegram. */
  static void finishPending() {
    try (Connection connection = TestInfra.get().jdbc();
        PreparedStatement statement = connection.prepareStatement("UPDATE notification_outbox SET status = 'failed',"
            + " last_error = 'test ended', locked_by = NULL, locked_until = NULL WHERE status = 'pending'")) {
      statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
