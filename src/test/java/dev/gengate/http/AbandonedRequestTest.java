package dev.gengate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Db;
import dev.gengate.testing.Generations;
import dev.gengate.testing.RunningService;
import dev.gengate.testing.TestInfra;
import dev.gengate.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A money-moving request that outlives the HTTP layer's bus timeout is answered 503 and must then not take
 * effect: the ledger checks the sender's deadline before it commits. The user's row is held locked from outside
 * to make the ledger slow.
 */
class AbandonedRequestTest {
  @RegisterExtension
  static final RunningService service = new RunningService(new JsonObject()
      .put("http", new JsonObject().put("busTimeout", "1s"))
      .put("limits", new JsonObject().put("free", new JsonObject().put("perMinute", 1000))))
      .checkingLedgerAfterEach();

  @Test
  void aCreateOrTopUpAnswered503IsNotChargedOrAppliedLater() throws Exception {
    TestUser user = service.api().createUser(10);
    Future<Reply> create;
    Future<Reply> topUp;
    try (Connection lock = TestInfra.get().jdbc(); Statement s = lock.createStatement()) {
      lock.setAutoCommit(false);
      s.execute("SELECT id FROM users WHERE id = '" + user.id() + "' FOR UPDATE");
      create = service.api().send(HttpMethod.POST, "/v1/generations", user.apiKey(),
          new JsonObject().put("prompt", "too late"));
      topUp = service.api().send(HttpMethod.POST, "/v1/admin/users/" + user.id() + "/credits",
          TestService.ADMIN_TOKEN, new JsonObject().put("amount", 5).encode(), MultiMap.caseInsensitiveMultiMap());
      assertThat(Api.await(create).status()).isEqualTo(503);
      assertThat(Api.await(topUp).status()).isEqualTo(503);
      lock.rollback();
    }
    // The ledger now gets the row; both transactions must roll back instead of committing.
    Generations.eventually("the abandoned transactions to finish", () -> Db.count(
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'") == 0);
    Thread.sleep(300);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getLong("credits")).isEqualTo(10);
    assertThat(Db.count("SELECT count(*) FROM generations WHERE user_id = ?::uuid", user.id())).isZero();
    assertThat(Db.count("SELECT count(*) FROM ledger_entries WHERE user_id = ?::uuid", user.id())).isEqualTo(1);
  }

  @Test
  void aUserCreationAnswered503DoesNotCreateTheUserLater() throws Exception {
    long telegramId = 5_000_000_000L + System.nanoTime() % 1_000_000;
    try (Connection lock = TestInfra.get().jdbc(); Statement s = lock.createStatement()) {
      lock.setAutoCommit(false);
      s.execute("LOCK TABLE users IN SHARE MODE"); // inserts wait
      Reply created = service.api().post("/v1/admin/users", TestService.ADMIN_TOKEN,
          new JsonObject().put("telegramId", telegramId).put("credits", 50));
      assertThat(created.status()).isEqualTo(503);
      lock.rollback();
    }
    Generations.eventually("the abandoned transaction to finish", () -> Db.count(
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'") == 0);
    Thread.sleep(300);
    assertThat(Db.count("SELECT count(*) FROM users WHERE telegram_id = ?", telegramId)).isZero();
  }
}
