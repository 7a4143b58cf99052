package dev.gengate.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.notify.FakeTelegram.Call;
import dev.gengate.testing.Api;
import dev.gengate.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-chat spacing and the global per-second cap, and that one busy chat never delays another. */
class NotificationThrottleTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final TelegramHarness harness = new TelegramHarness();

  private TestService service;

  @AfterEach
  void stopService() {
    service.stop();
  }

  @Test
  void aBurstToOneChatIsSpacedByThePerChatIntervalInOrderWhileAnotherChatIsNotDelayed() {
    service = TestService.start(harness.vertx(), NotifyFixture.settings(harness.telegram().baseUrl(),
        new JsonObject().put("perChatInterval", "200ms")));
    Api api = service.api();
    long busy = NotifyFixture.newChatId();
    long quiet = NotifyFixture.newChatId();
    UUID busyUser = NotifyFixture.createUser(api, busy, "en");
    UUID quietUser = NotifyFixture.createUser(api, quiet, "en");

    Api.await(harness.pool().withTransaction(conn -> Future.all(IntStream.rangeClosed(1, 20)
        .mapToObj(i -> NotifyFixture.OUTBOX.enqueue(conn, busyUser, NotificationEvent.STARTED, UUID.randomUUID(),
            NotificationPayload.started("demo", "#" + i)))
        .toList())));
    Outbox.wake(harness.vertx());
    harness.telegram().awaitCalls(busy, 3, WAIT);
    long enqueued = System.nanoTime();
    NotifyFixture.enqueue(harness.vertx(), harness.pool(), quietUser, NotificationEvent.STARTED,
        NotificationPayload.started("demo", null));
    Call quietCall = harness.telegram().awaitCalls(quiet, 1, WAIT).get(0);

    assertThat(TimeUnit.NANOSECONDS.toMillis(quietCall.atNanos() - enqueued))
        .as("the quiet chat waited behind the busy one").isLessThan(1_000);
    List<Call> calls = harness.telegram().awaitCalls(busy, 20, WAIT);
    for (int i = 1; i < calls.size(); i++) {
      assertThat(TimeUnit.NANOSECONDS.toMillis(calls.get(i).atNanos() - calls.get(i - 1).atNanos()))
          .as("gap before message %d", i + 1).isGreaterThanOrEqualTo(200);
    }
    assertThat(calls).extracting(Call::text)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 20)
            .mapToObj(i -> "⏳ Your generation “#" + i + "” has started (model demo).").toList());
  }

  @Test
  void messagesPerSecondAcrossAllChatsStayWithinTheGlobalCap() {
    service = TestService.start(harness.vertx(), NotifyFixture.settings(harness.telegram().baseUrl(),
        new JsonObject().put("globalPerSecond", 5)));
    Api api = service.api();
    List<Long> chats = new ArrayList<>();
    List<UUID> users = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      chats.add(NotifyFixture.newChatId());
      users.add(NotifyFixture.createUser(api, chats.get(i), "en"));
    }

    List<UUID> generations = IntStream.range(0, users.size()).mapToObj(i -> UUID.randomUUID()).toList();
    Api.await(harness.pool().withTransaction(conn -> Future.all(IntStream.range(0, users.size())
        .mapToObj(i -> NotifyFixture.OUTBOX.enqueue(conn, users.get(i), NotificationEvent.STARTED,
            generations.get(i), NotificationPayload.started("demo", null)))
        .toList())));
    Outbox.wake(harness.vertx());

    List<Call> calls = new ArrayList<>();
    for (long chat : chats) {
      calls.addAll(harness.telegram().awaitCalls(chat, 1, WAIT));
    }
    // The cap applies to attempts started (the database's clock): no 6 of them within one second.
    List<Long> started = NotifyFixture.attemptStartMillis(generations);
    assertThat(started).hasSize(15);
    for (int i = 0; i + 5 < started.size(); i++) {
      assertThat(started.get(i + 5) - started.get(i))
          .as("time between the starts of attempts %d and %d", i + 1, i + 6).isGreaterThanOrEqualTo(1000);
    }
    // Seen from Telegram: three batches of five, so at least about two seconds from first to last.
    calls.sort(Comparator.comparingLong(Call::atNanos));
    assertThat(TimeUnit.NANOSECONDS.toMillis(calls.get(14).atNanos() - calls.get(0).atNanos()))
        .isGreaterThanOrEqualTo(1_800);
  }
}
