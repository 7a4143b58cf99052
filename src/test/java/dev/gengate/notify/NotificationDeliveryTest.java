package dev.gengate.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.EmbeddedServices;
import dev.gengate.notify.FakeTelegram.Call;
import dev.gengate.notify.NotifyFixture.OutboxRow;
import dev.gengate.testing.Api;
import dev.gengate.testing.TestService;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delivery through a local server speaking the Bot API: right chat and language, retries on 5xx, timeouts and
 * refused connections, retry_after on 429, no retry on 400/403, giving up, and no token in any log or error.
 */
class NotificationDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @RegisterExtension
  static final TelegramHarness harness = new TelegramHarness();

  private TestService service;
  private Api api;

  @AfterEach
  void stopService() {
    if (service != null) {
      service.stop();
    }
    harness.telegram().answer(call -> FakeTelegram.OK);
  }

  private void startService(JsonObject changes) {
    startService(harness.telegram().baseUrl(), changes);
  }

  private void startService(String baseUrl, JsonObject changes) {
    service = TestService.start(harness.vertx(), NotifyFixture.settings(baseUrl, changes));
    api = service.api();
  }

  private UUID user(long chat, String language) {
    return NotifyFixture.createUser(api, chat, language);
  }

  private UUID enqueue(UUID user, NotificationEvent event, JsonObject payload) {
    return NotifyFixture.enqueue(harness.vertx(), harness.pool(), user, event, payload);
  }

  @Test
  void eachUserGetsTheMessageInTheirChatAndLanguage() {
    startService(new JsonObject());
    long english = NotifyFixture.newChatId();
    long russian = NotifyFixture.newChatId();
    UUID generationEn = enqueue(user(english, "en"), NotificationEvent.STARTED,
        NotificationPayload.started("demo", "a fox"));
    UUID generationRu = enqueue(user(russian, "ru"), NotificationEvent.STARTED,
        NotificationPayload.started("demo", "лиса"));

    assertThat(harness.telegram().awaitCalls(english, 1, WAIT)).extracting(Call::text)
        .containsExactly("⏳ Your generation “a fox” has started (model demo).");
    assertThat(harness.telegram().awaitCalls(russian, 1, WAIT)).extracting(Call::text)
        .containsExactly("⏳ Генерация «лиса» началась (модель demo).");
    assertThat(NotifyFixture.awaitStatus(generationEn, NotificationEvent.STARTED, "sent", WAIT).attempts()).isOne();
    assertThat(NotifyFixture.awaitStatus(generationRu, NotificationEvent.STARTED, "sent", WAIT).attempts()).isOne();
  }

  @Test
  void failedAndCancelledMessagesStateTheRefund() {
    startService(new JsonObject());
    long russian = NotifyFixture.newChatId();
    long english = NotifyFixture.newChatId();
    enqueue(user(russian, "ru"), NotificationEvent.FAILED,
        NotificationPayload.failed("demo", null, "PROVIDER_ERROR", 5));
    enqueue(user(english, "en"), NotificationEvent.CANCELLED, NotificationPayload.cancelled("demo", null, 2));

    assertThat(harness.telegram().awaitCalls(russian, 1, WAIT).get(0).text())
        .contains("Генерация не удалась").contains("5 💎 возвращены");
    assertThat(harness.telegram().awaitCalls(english, 1, WAIT).get(0).text())
        .contains("cancelled").contains("2 💎 returned to your balance");
  }

  @Test
  void serverErrorsAreRetriedWithGrowingBackoffThenDeliveredOnce() {
    startService(new JsonObject()); // backoffBase 100ms: delays of 50..100ms, then 100..200ms
    long chat = NotifyFixture.newChatId();
    harness.telegram().answer(call -> call.chatId() == chat && call.nth() <= 2
        ? FakeTelegram.error(500, "Internal Server Error") : FakeTelegram.OK);

    UUID generation = enqueue(user(chat, "en"), NotificationEvent.COMPLETED,
        NotificationPayload.completed("demo", null, "https://img.example/1.png"));

    List<Call> calls = harness.telegram().awaitCalls(chat, 3, WAIT);
    assertThat(millisBetween(calls.get(0), calls.get(1))).isGreaterThanOrEqualTo(50);
    assertThat(millisBetween(calls.get(1), calls.get(2))).isGreaterThanOrEqualTo(100);
    OutboxRow row = NotifyFixture.awaitStatus(generation, NotificationEvent.COMPLETED, "sent", WAIT);
    assertThat(row.attempts()).isEqualTo(3);
    FakeTelegram.sleep(400);
    assertThat(harness.telegram().callsTo(chat)).hasSize(3);
  }

  @Test
  void rateLimitedChatIsResentNoEarlierThanRetryAfterAndOnceWhileOtherChatsGoOn() {
    startService(new JsonObject());
    long limited = NotifyFixture.newChatId();
    long other = NotifyFixture.newChatId();
    harness.telegram().answer(call -> call.chatId() == limited && call.nth() == 1
        ? FakeTelegram.retryAfter(2) : FakeTelegram.OK);
    UUID otherUser = user(other, "en");

    UUID generation = enqueue(user(limited, "en"), NotificationEvent.STARTED,
        NotificationPayload.started("demo", null));
    Call first = harness.telegram().awaitCalls(limited, 1, WAIT).get(0);
    enqueue(otherUser, NotificationEvent.STARTED, NotificationPayload.started("demo", null));
    Call otherCall = harness.telegram().awaitCalls(other, 1, WAIT).get(0);

    List<Call> calls = harness.telegram().awaitCalls(limited, 2, WAIT);
    assertThat(millisBetween(first, calls.get(1))).isGreaterThanOrEqualTo(2_000);
    assertThat(millisBetween(first, otherCall)).as("the other chat waited for the limited one").isLessThan(1_000);
    assertThat(NotifyFixture.awaitStatus(generation, NotificationEvent.STARTED, "sent", WAIT).attempts()).isEqualTo(2);
    FakeTelegram.sleep(300);
    assertThat(harness.telegram().callsTo(limited)).hasSize(2);
  }

  @Test
  void badRequestAndForbiddenAreNotRetried() {
    startService(new JsonObject());
    long unknownChat = NotifyFixture.newChatId();
    long blockedBot = NotifyFixture.newChatId();
    harness.telegram().answer(call -> call.chatId() == unknownChat
        ? FakeTelegram.error(400, "Bad Request: chat not found")
        : call.chatId() == blockedBot ? FakeTelegram.error(403, "Forbidden: bot was blocked by the user")
        : FakeTelegram.OK);

    UUID first = enqueue(user(unknownChat, "en"), NotificationEvent.STARTED, NotificationPayload.started("demo", null));
    UUID second = enqueue(user(blockedBot, "ru"), NotificationEvent.STARTED, NotificationPayload.started("demo", null));

    OutboxRow notFound = NotifyFixture.awaitStatus(first, NotificationEvent.STARTED, "failed", WAIT);
    OutboxRow forbidden = NotifyFixture.awaitStatus(second, NotificationEvent.STARTED, "failed", WAIT);
    assertThat(notFound.lastError()).contains("400").contains("chat not found");
    assertThat(forbidden.lastError()).contains("403").contains("bot was blocked by the user");
    FakeTelegram.sleep(500); // several backoff periods
    assertThat(harness.telegram().callsTo(unknownChat)).hasSize(1);
    assertThat(harness.telegram().callsTo(blockedBot)).hasSize(1);
    assertThat(NotifyFixture.row(first, NotificationEvent.STARTED).attempts()).isOne();
  }

  @Test
  void givesUpAfterMaxAttempts() {
    startService(new JsonObject().put("maxAttempts", 3));
    long chat = NotifyFixture.newChatId();
    harness.telegram().answer(call -> call.chatId() == chat ? FakeTelegram.error(502, "Bad Gateway") : FakeTelegram.OK);

    UUID generation = enqueue(user(chat, "en"), NotificationEvent.STARTED, NotificationPayload.started("demo", null));

    OutboxRow row = NotifyFixture.awaitStatus(generation, NotificationEvent.STARTED, "failed", WAIT);
    assertThat(row.attempts()).isEqualTo(3);
    assertThat(row.lastError()).startsWith("gave up after 3 attempts").contains("502");
    FakeTelegram.sleep(500);
    assertThat(harness.telegram().callsTo(chat)).hasSize(3);
  }

  @Test
  void hangingTelegramBlocksNeitherTheEnqueuerNorOtherChatsAndIsRetried() {
    try (LogCapture log = new LogCapture()) {
      startService(new JsonObject().put("requestTimeout", "1500ms"));
      long hanging = NotifyFixture.newChatId();
      long other = NotifyFixture.newChatId();
      harness.telegram().answer(call -> call.chatId() == hanging ? FakeTelegram.HANG : FakeTelegram.OK);
      UUID otherUser = user(other, "en");

      UUID generation = enqueue(user(hanging, "en"), NotificationEvent.STARTED,
          NotificationPayload.started("demo", null));
      Call stuck = harness.telegram().awaitCalls(hanging, 1, WAIT).get(0);
      long before = System.nanoTime();
      enqueue(otherUser, NotificationEvent.STARTED, NotificationPayload.started("demo", null));
      long enqueueMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
      Call delivered = harness.telegram().awaitCalls(other, 1, WAIT).get(0);

      assertThat(enqueueMillis).as("enqueue while Telegram hangs").isLessThan(500);
      assertThat(millisBetween(stuck, delivered)).as("other chat behind the hanging one").isLessThan(1_000);
      List<Call> retried = harness.telegram().awaitCalls(hanging, 2, WAIT);
      assertThat(millisBetween(retried.get(0), retried.get(1))).isGreaterThanOrEqualTo(1_500);
      OutboxRow row = NotifyFixture.row(generation, NotificationEvent.STARTED);
      assertThat(row.status()).isEqualTo("pending");
      assertThat(row.lastError()).containsIgnoringCase("timeout").doesNotContain(NotifyFixture.TOKEN);
      assertThat(log.lines()).anyMatch(line -> line.startsWith("WARN") && line.contains("failed on attempt 1"))
          .noneMatch(line -> line.contains(NotifyFixture.TOKEN));
    }
  }

  @Test
  void refusedConnectionsAreRetriedUntilGivenUpWithoutBlockingTheEnqueuerOrLeakingTheToken() {
    try (LogCapture log = new LogCapture()) {
      startService("http://127.0.0.1:" + EmbeddedServices.freePort(), new JsonObject().put("maxAttempts", 3));
      UUID user = user(NotifyFixture.newChatId(), "en");

      long before = System.nanoTime();
      UUID generation = enqueue(user, NotificationEvent.STARTED, NotificationPayload.started("demo", null));
      long enqueueMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);

      assertThat(enqueueMillis).as("enqueue while Telegram is unreachable").isLessThan(500);
      OutboxRow row = NotifyFixture.awaitStatus(generation, NotificationEvent.STARTED, "failed", WAIT);
      assertThat(row.attempts()).isEqualTo(3);
      assertThat(row.lastError()).startsWith("gave up after 3 attempts").containsIgnoringCase("refused");
      assertThat(log.lines())
          .anyMatch(line -> line.startsWith("WARN") && line.contains("failed on attempt 2 of 3"))
          .anyMatch(line -> line.startsWith("ERROR") && line.contains("given up after 3 attempts"))
          .noneMatch(line -> line.contains(NotifyFixture.TOKEN));
    }
  }

  @Test
  void aRejectedBotTokenIsRetriedAndReportedAsMisconfiguration() {
    try (LogCapture log = new LogCapture()) {
      JsonObject wrongToken = new JsonObject().put("botToken", "111:wrong-token").put("maxAttempts", 2);
      startService(wrongToken);
      UUID generation = enqueue(user(NotifyFixture.newChatId(), "en"), NotificationEvent.STARTED,
          NotificationPayload.started("demo", null));

      OutboxRow row = NotifyFixture.awaitStatus(generation, NotificationEvent.STARTED, "failed", WAIT);
      assertThat(row.attempts()).isEqualTo(2);
      assertThat(row.lastError()).contains("404").doesNotContain("wrong-token");
      assertThat(log.lines())
          .anyMatch(line -> line.startsWith("ERROR") && line.contains("check telegram.botToken"))
          .noneMatch(line -> line.contains("wrong-token"));
    }
  }

  private static long millisBetween(Call first, Call second) {
    return TimeUnit.NANOSECONDS.toMillis(second.atNanos() - first.atNanos());
  }
}
