package dev.gengate.notify;

import dev.gengate.testing.VertxPerClass;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fake Bot API and a database pool on one Vert.x for a whole test class, for tests that start their own
 * services against the fake with settings of their own. Register it as
 * {@code @RegisterExtension static final TelegramHarness harness = new TelegramHarness();}.
 *
 * <p>After each test, and after the class's own {@code @AfterEach} methods have stopped its services, every
 * message still pending is ended ({@link NotifyFixture#finishPending()}), so no test's leftovers reach the next
 * test's chats.
 */
final class TelegramHarness extends VertxPerClass implements AfterEachCallback {
  private FakeTelegram telegram;
  private Pool pool;

  @Override
  protected void start(Vertx vertx) {
    telegram = FakeTelegram.start(vertx, NotifyFixture.TOKEN);
    pool = NotifyFixture.pool(vertx);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    NotifyFixture.finishPending();
  }

  FakeTelegram telegram() {
    return telegram;
  }

  Pool pool() {
    return pool;
  }
}
