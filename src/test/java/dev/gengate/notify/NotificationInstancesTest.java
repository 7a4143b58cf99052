package dev.gengate.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.EmbeddedServices;
import dev.gengate.notify.FakeTelegram.Call;
import dev.gengate.notify.NotifyFixture.OutboxRow;
import dev.gengate.testing.Api;
import dev.gengate.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The outbox across restarts and across several services sharing one database. */
class NotificationInstancesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final TelegramHarness harness = new TelegramHarness();

  private final List<TestService> services = new ArrayList<>();
  private final List<Vertx> extraVertx = new ArrayList<>();

  @AfterEach
  void stopServices() {
    services.forEach(TestService::stop);
    extraVertx.forEach(v -> v.close().await());
  }

  private TestService start(Vertx on, String baseUrl, JsonObject changes) {
    TestService service = TestService.start(on, NotifyFixture.settings(baseUrl, changes));
    services.add(service);
    return service;
  }

  @Test
  void messagesEnqueuedWhileTelegramIsDownAreDeliveredOnceByTheNextServiceInstance() {
    TestService down = start(harness.vertx(), "http://127.0.0.1:" + EmbeddedServices.freePort(),
        new JsonObject().put("maxAttempts", 50));
    Api api = down.api();
    long first = NotifyFixture.newChatId();
    long second = NotifyFixture.newChatId();
    UUID firstUser = NotifyFixture.createUser(api, first, "en");
    UUID secondUser = NotifyFixture.createUser(api, second, "ru");
    UUID generation = UUID.randomUUID();

    NotifyFixture.enqueue(harness.vertx(), harness.pool(), firstUser, NotificationEvent.STARTED, generation,
        NotificationPayload.started("demo", null));
    NotifyFixture.enqueue(harness.vertx(), harness.pool(), firstUser, NotificationEvent.COMPLETED, generation,
        NotificationPayload.completed("demo", null, "https://img.example/a.png"));
    UUID failed = NotifyFixture.enqueue(harness.vertx(), harness.pool(), secondUser, NotificationEvent.FAILED,
        NotificationPayload.failed("demo", null, "TIMEOUT", 5));
    awaitAttempted(generation, NotificationEvent.STARTED);
    awaitAttempted(failed, NotificationEvent.FAILED);
    down.stop();
    services.remove(down);

    start(harness.vertx(), harness.telegram().baseUrl(), new JsonObject());

    assertThat(harness.telegram().awaitCalls(first, 2, WAIT)).extracting(Call::text).containsExactly(
        "⏳ Your generation has started (model demo).",
        "✅ Your generation is ready (model demo): https://img.example/a.png");
    assertThat(harness.telegram().awaitCalls(second, 1, WAIT).get(0).text()).contains("5 💎 возвращены");
    NotifyFixture.awaitStatus(generation, NotificationEvent.COMPLETED, "sent", WAIT);
    NotifyFixture.awaitStatus(failed, NotificationEvent.FAILED, "sent", WAIT);
    FakeTelegram.sleep(300);
    assertThat(harness.telegram().callsTo(first)).hasSize(2);
    assertThat(harness.telegram().callsTo(second)).hasSize(1);
  }

  @Test
  void twoServicesWithTwoSendersEachDeliverFiftyMessagesWithoutDuplicates() {
    JsonObject settings = new JsonObject().put("pollInterval", "20ms");
    JsonObject twoSenders = new JsonObject().put("verticles",
        new JsonObject().put("notify", new JsonObject().put("instances", 2)));
    Vertx otherVertx = Vertx.vertx();
    extraVertx.add(otherVertx);
    JsonObject config = NotifyFixture.settings(harness.telegram().baseUrl(), settings).mergeIn(twoSenders);
    TestService one = TestService.start(harness.vertx(), config);
    TestService two = TestService.start(otherVertx, config);
    services.add(one);
    services.add(two);
    harness.telegram().answer(call -> new FakeTelegram.Ok(20)); // slow enough that claims overlap with sends
    Api api = one.api();
    List<Long> chats = new ArrayList<>();
    List<UUID> users = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      chats.add(NotifyFixture.newChatId());
      users.add(NotifyFixture.createUser(api, chats.get(i), i % 2 == 0 ? "en" : "ru"));
    }

    List<UUID> generations = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      UUID generation = UUID.randomUUID();
      UUID user = users.get(i);
      generations.add(generation);
      // No wake: both services find the rows by polling, at their own pace.
      Api.await(harness.pool().withTransaction(conn -> NotifyFixture.OUTBOX.enqueue(conn, user,
              NotificationEvent.STARTED, generation, NotificationPayload.started("demo", null))
          .compose(v -> NotifyFixture.OUTBOX.enqueue(conn, user, NotificationEvent.COMPLETED, generation,
              NotificationPayload.completed("demo", null, null)))));
      FakeTelegram.sleep(15);
    }

    for (long chat : chats) {
      harness.telegram().awaitCalls(chat, 2, WAIT);
    }
    FakeTelegram.sleep(500);
    for (long chat : chats) {
      assertThat(harness.telegram().callsTo(chat)).as("calls to chat %d", chat).hasSize(2)
          .extracting(Call::text).first().asString().startsWith("⏳");
    }
    List<OutboxRow> rows = new ArrayList<>();
    for (UUID generation : generations) {
      rows.addAll(NotifyFixture.rows("generation_id = ?", generation));
    }
    assertThat(rows).hasSize(50).allSatisfy(row -> {
      assertThat(row.status()).isEqualTo("sent");
      assertThat(row.attempts()).isOne();
    });
    Set<String> senders = NotifyFixture.senders(generations);
    assertThat(senders).as("instances that sent messages").hasSizeGreaterThanOrEqualTo(2);
  }

  /** Waits until a message has been tried at least once (and is still waiting). */
  private static void awaitAttempted(UUID generation, NotificationEvent event) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (NotifyFixture.row(generation, event).attempts() == 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never attempted: " + NotifyFixture.row(generation, event));
      }
      FakeTelegram.sleep(20);
    }
    assertThat(NotifyFixture.row(generation, event).status()).isEqualTo("pending");
  }
}
