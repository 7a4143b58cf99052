package dev.gengate.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.EmbeddedServices;
import dev.gengate.testing.Api;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Db;
import dev.gengate.testing.Generations;
import dev.gengate.testing.LedgerInvariants;
import dev.gengate.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Generations and Telegram together, through the real HTTP API: the transitions enqueue their messages in the
 * same transaction, and Telegram's troubles never touch a generation's outcome or timing.
 */
class GenerationNotificationsTest {
  private Vertx vertx;
  private FakeTelegram telegram;
  private TestService service;
  private Api api;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    telegram = FakeTelegram.start(vertx, NotifyFixture.TOKEN);
  }

  @AfterEach
  void stop() {
    LedgerInvariants.assertHold();
    service.stop();
    telegram.close();
    vertx.close().await();
  }

  private void startService(String telegramBaseUrl) {
    startService(telegramBaseUrl, new JsonObject());
  }

  private void startService(String telegramBaseUrl, JsonObject telegramChanges) {
    JsonObject config = NotifyFixture.settings(telegramBaseUrl, telegramChanges)
        .put("models", new JsonObject()
            .put("demo", new JsonObject().put("provider", "demo").put("price", 1).put("timeout", "10s")
                .put("delay", "100ms"))
            .put("stuck", new JsonObject().put("provider", "demo").put("price", 3).put("timeout", "600ms")
                .put("delay", "20s")));
    service = TestService.start(vertx, config);
    api = service.api();
  }

  private TestUser user(long chatId, String language) {
    return api.createUser(new JsonObject().put("telegramId", chatId).put("language", language).put("credits", 20));
  }

  @Test
  void completedGenerationSendsStartedThenCompletedToTheUsersChatInTheirLanguage() {
    startService(telegram.baseUrl());
    long chat = NotifyFixture.newChatId();
    TestUser user = user(chat, "ru");
    String id = Generations.start(api, user.apiKey(), "рыжая лиса", null);
    assertThat(Generations.awaitEnd(api, user.apiKey(), id).getString("status")).isEqualTo("completed");
    List<FakeTelegram.Call> calls = telegram.awaitCalls(chat, 2, Duration.ofSeconds(10));
    assertThat(calls).extracting(FakeTelegram.Call::chatId).containsOnly(chat);
    assertThat(calls.get(0).text()).isEqualTo("⏳ Генерация «рыжая лиса» началась (модель demo).");
    assertThat(calls.get(1).text()).isEqualTo("✅ Генерация «рыжая лиса» готова (модель demo).");
  }

  @Test
  void failedGenerationMessageStatesTheRefundedCredits() {
    startService(telegram.baseUrl());
    long chat = NotifyFixture.newChatId();
    TestUser user = user(chat, "en");
    String id = Generations.start(api, user.apiKey(), "slow fox", "stuck");
    JsonObject failed = Generations.awaitEnd(api, user.apiKey(), id);
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getJsonObject("error").getString("code")).isEqualTo("TIMEOUT");
    List<FakeTelegram.Call> calls = telegram.awaitCalls(chat, 2, Duration.ofSeconds(10));
    assertThat(calls.get(1).text())
        .isEqualTo("❌ Your generation “slow fox” failed: it did not finish in time. 3 💎 returned to your balance.");
  }

  @Test
  void cancelledGenerationMessageStatesTheRefund() {
    startService(telegram.baseUrl());
    long chat = NotifyFixture.newChatId();
    TestUser user = user(chat, "ru");
    String id = Generations.start(api, user.apiKey(), "кот", "stuck");
    assertThat(Generations.cancel(api, user.apiKey(), id).status()).isEqualTo(200);
    List<FakeTelegram.Call> calls = telegram.awaitCalls(chat, 1, Duration.ofSeconds(10));
    Generations.eventually("the cancel message", () -> telegram.callsTo(chat).stream()
        .anyMatch(c -> c.text().equals("🚫 Генерация «кот» отменена. 3 💎 возвращены на баланс.")));
    assertThat(calls).isNotEmpty();
  }

  @Test
  void usersWithoutTelegramGetNoMessages() {
    startService(telegram.baseUrl());
    TestUser user = api.createUser(5);
    String id = Generations.start(api, user.apiKey(), "quiet", null);
    Generations.awaitEnd(api, user.apiKey(), id);
    assertThat(Db.count("SELECT count(*) FROM notification_outbox WHERE generation_id = ?::uuid", id)).isZero();
  }

  @Test
  void telegramAnswering500DoesNotDelayGenerations() {
    telegram.answer(call -> FakeTelegram.error(500, "Internal Server Error"));
    startService(telegram.baseUrl());
    assertGenerationsKeepTheirPace();
  }

  @Test
  void hangingTelegramDoesNotDelayGenerations() {
    telegram.answer(call -> FakeTelegram.HANG);
    // Ten times a generation's whole duration: a sender the generation waited for would show at once.
    startService(telegram.baseUrl(), new JsonObject().put("requestTimeout", "10s"));
    assertGenerationsKeepTheirPace();
  }

  @Test
  void slowTelegramDoesNotDelayGenerations() {
    telegram.answer(call -> new FakeTelegram.Ok(3000));
    startService(telegram.baseUrl(), new JsonObject().put("requestTimeout", "10s"));
    assertGenerationsKeepTheirPace();
  }

  @Test
  void unreachableTelegramDoesNotDelayGenerations() {
    startService("http://127.0.0.1:" + EmbeddedServices.freePort());
    assertGenerationsKeepTheirPace();
  }

  /** Ten 100 ms generations for Telegram users each complete within a second of their creation. */
  private void assertGenerationsKeepTheirPace() {
    List<TestUser> users = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      users.add(user(NotifyFixture.newChatId(), i % 2 == 0 ? "en" : "ru"));
    }
    for (int i = 0; i < 10; i++) {
      TestUser user = users.get(i % users.size());
      ids.add(Generations.start(api, user.apiKey(), "pace " + i, null));
    }
    for (int i = 0; i < ids.size(); i++) {
      JsonObject done = Generations.awaitEnd(api, users.get(i % users.size()).apiKey(), ids.get(i));
      assertThat(done.getString("status")).isEqualTo("completed");
      Duration took = Duration.between(OffsetDateTime.parse(done.getString("createdAt")),
          OffsetDateTime.parse(done.getString("finishedAt")));
      assertThat(took).as("generation %s took %s", ids.get(i), took).isLessThan(Duration.ofSeconds(1));
    }
    assertThat(Db.count("SELECT count(*) FROM notification_outbox WHERE generation_id = ANY(?::uuid[])",
        "{" + String.join(",", ids) + "}")).as("the messages are kept for later delivery").isEqualTo(20);
  }
}
