package dev.gengate.notify;

import static dev.gengate.notify.NotifyFixture.OUTBOX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gengate.notify.NotifyFixture.OutboxRow;
import dev.gengate.testing.Api;
import dev.gengate.testing.RunningService;
import dev.gengate.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Outbox#enqueue} inside the caller's transaction: what it writes, and what it never writes. */
class OutboxEnqueueTest {
  /** The defaults, so notifications are off: nothing sends these rows while the tests read them. */
  @RegisterExtension
  static final RunningService service = new RunningService();

  private static Pool pool;

  @BeforeAll
  static void openPool() {
    pool = NotifyFixture.pool(service.vertx());
  }

  @AfterEach
  void finishPending() {
    NotifyFixture.finishPending();
  }

  @Test
  void enqueueRecordsTheUsersChatAndLanguageAsPending() {
    long chat = NotifyFixture.newChatId();
    UUID user = NotifyFixture.createUser(service.api(), chat, "ru");
    JsonObject payload = NotificationPayload.failed("demo", "a red fox", "TIMEOUT", 5);

    UUID generation = NotifyFixture.enqueue(service.vertx(), pool, user, NotificationEvent.FAILED, payload);

    OutboxRow row = NotifyFixture.row(generation, NotificationEvent.FAILED);
    assertThat(row.chatId()).isEqualTo(chat);
    assertThat(row.language()).isEqualTo("ru");
    assertThat(row.status()).isEqualTo("pending");
    assertThat(row.attempts()).isZero();
  }

  @Test
  void usersWithoutTelegramIdGetNoRows() {
    UUID user = NotifyFixture.createUser(service.api(), null, "en");

    UUID generation = NotifyFixture.enqueue(service.vertx(), pool, user, NotificationEvent.STARTED,
        NotificationPayload.started("demo", null));

    assertThat(NotifyFixture.rows("generation_id = ?", generation)).isEmpty();
  }

  @Test
  void oneEventOfAGenerationIsEnqueuedOnceWhileOtherEventsAreAdded() {
    UUID user = NotifyFixture.createUser(service.api(), NotifyFixture.newChatId(), "en");
    UUID generation = UUID.randomUUID();
    JsonObject payload = NotificationPayload.started("demo", null);

    NotifyFixture.enqueue(service.vertx(), pool, user, NotificationEvent.STARTED, generation, payload);
    NotifyFixture.enqueue(service.vertx(), pool, user, NotificationEvent.STARTED, generation, payload);
    NotifyFixture.enqueue(service.vertx(), pool, user, NotificationEvent.COMPLETED, generation,
        NotificationPayload.completed("demo", null, "https://img.example/1.png"));

    assertThat(NotifyFixture.rows("generation_id = ?", generation))
        .extracting(OutboxRow::event).containsExactly("started", "completed");
  }

  @Test
  void enqueueRollsBackWithTheCallersTransaction() {
    UUID user = NotifyFixture.createUser(service.api(), NotifyFixture.newChatId(), "en");
    UUID generation = UUID.randomUUID();

    assertThatThrownBy(() -> Api.await(pool.withTransaction(conn -> OUTBOX.enqueue(conn, user,
            NotificationEvent.CANCELLED, generation, NotificationPayload.cancelled("demo", null, 1))
        .compose(v -> Future.failedFuture(new IllegalStateException("the state change failed"))))))
        .hasMessageContaining("the state change failed");

    assertThat(NotifyFixture.rows("generation_id = ?", generation)).isEmpty();
  }

  @Test
  void disabledOutboxWritesNothing() {
    UUID user = NotifyFixture.createUser(service.api(), NotifyFixture.newChatId(), "en");
    UUID generation = UUID.randomUUID();

    Api.await(pool.withTransaction(conn -> Outbox.of(service.config().telegram())
        .enqueue(conn, user, NotificationEvent.STARTED, generation, NotificationPayload.started("demo", null))));

    assertThat(Outbox.of(service.config().telegram()).enabled()).isFalse();
    assertThat(NotifyFixture.rows("generation_id = ?", generation)).isEmpty();
  }

  @Test
  void notificationsOffIsSaidOnceAtStartWhateverTheInstanceCount() {
    List<String> lines;
    try (LogCapture log = new LogCapture()) {
      TestService second = TestService.start(service.vertx(),
          new JsonObject().put("verticles", new JsonObject().put("notify", new JsonObject().put("instances", 3))));
      second.stop();
      lines = log.lines();
    }
    assertThat(lines).containsOnlyOnce("INFO Telegram notifications are off: telegram.botToken is empty");
  }
}
