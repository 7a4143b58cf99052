package dev.gengate.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.common.metrics.Metrics;
import dev.gengate.testing.Api;
import dev.gengate.testing.RunningService;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With a Micrometer registry behind Vert.x, every delivery outcome is counted and the backlog is a gauge. */
class NotificationMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final MeterRegistry REGISTRY = Metrics.registry();
  private static FakeTelegram telegram;
  private static Pool pool;

  @RegisterExtension
  static final RunningService service = new RunningService(vertx -> {
    telegram = FakeTelegram.start(vertx, NotifyFixture.TOKEN);
    return NotifyFixture.settings(telegram.baseUrl());
  }).on(Metrics::newVertx);

  @BeforeAll
  static void openPool() {
    pool = NotifyFixture.pool(service.vertx());
  }

  @AfterAll
  static void stop() {
    service.service().stop();
    NotifyFixture.finishPending();
  }

  @Test
  void sentRetriedAndFailedMessagesAreCountedAndTheBacklogIsAGauge() {
    // The registry is the process's: other tests may have counted before; compare with what was there.
    double sentBefore = count("gengate.notify.sent", "event", "started");
    double retriedBefore = count("gengate.notify.retried", "cause", "server_error");
    double failedBefore = count("gengate.notify.failed", "reason", "rejected");
    Api api = service.api();
    Vertx vertx = service.vertx();
    long fine = NotifyFixture.newChatId();
    long flaky = NotifyFixture.newChatId();
    long blocked = NotifyFixture.newChatId();
    telegram.answer(call -> call.chatId() == flaky && call.nth() == 1 ? FakeTelegram.error(500, "Internal Server Error")
        : call.chatId() == blocked ? FakeTelegram.error(403, "Forbidden: bot was blocked by the user")
        : FakeTelegram.OK);

    UUID a = NotifyFixture.enqueue(vertx, pool, NotifyFixture.createUser(api, fine, "en"), NotificationEvent.STARTED,
        NotificationPayload.started("demo", null));
    UUID b = NotifyFixture.enqueue(vertx, pool, NotifyFixture.createUser(api, flaky, "en"), NotificationEvent.STARTED,
        NotificationPayload.started("demo", null));
    UUID c = NotifyFixture.enqueue(vertx, pool, NotifyFixture.createUser(api, blocked, "en"), NotificationEvent.STARTED,
        NotificationPayload.started("demo", null));
    NotifyFixture.awaitStatus(a, NotificationEvent.STARTED, "sent", WAIT);
    NotifyFixture.awaitStatus(b, NotificationEvent.STARTED, "sent", WAIT);
    NotifyFixture.awaitStatus(c, NotificationEvent.STARTED, "failed", WAIT);

    assertThat(count("gengate.notify.sent", "event", "started")).isEqualTo(sentBefore + 2);
    assertThat(count("gengate.notify.retried", "cause", "server_error")).isEqualTo(retriedBefore + 1);
    assertThat(count("gengate.notify.failed", "reason", "rejected")).isEqualTo(failedBefore + 1);
    assertThat(REGISTRY.get("gengate.notify.backlog").gauge().value()).isGreaterThanOrEqualTo(0);
  }

  private static double count(String name, String tag, String value) {
    var counter = REGISTRY.find(name).tag(tag, value).counter();
    return counter == null ? 0 : counter.count();
  }
}
