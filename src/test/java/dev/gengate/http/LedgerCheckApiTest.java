package dev.gengate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Db;
import dev.gengate.testing.Generations;
import dev.gengate.testing.RunningService;
import dev.gengate.testing.TestService;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ledger check reports each kind of broken invariant. Each test corrupts the books behind the ledger's back
 * (as a bug or a manual edit would), asks the check, and restores the rows in {@code finally} so later tests in
 * the shared database see healthy books again.
 */
class LedgerCheckApiTest {
  @RegisterExtension
  static final RunningService service = new RunningService(new JsonObject().put("models", new JsonObject()
      .put("demo", new JsonObject().put("provider", "demo").put("price", 1).put("timeout", "5s").put("delay", "0ms"))
      .put("stuck", new JsonObject().put("provider", "demo").put("price", 2).put("timeout", "300ms")
          .put("delay", "20s"))));

  private static List<String> violationsAbout(String id) {
    JsonObject report = service.api().get("/v1/admin/ledger/check", TestService.ADMIN_TOKEN).json();
    return report.getJsonArray("violations").stream().map(String::valueOf).filter(v -> v.contains(id)).toList();
  }

  private static String finished(TestUser user, String model) {
    String id = Generations.start(service.api(), user.apiKey(), "books", model);
    Generations.awaitEnd(service.api(), user.apiKey(), id);
    return id;
  }

  @Test
  void ledgerCheckIsAdminOnly() {
    TestUser user = service.api().createUser(0);
    assertThat(service.api().get("/v1/admin/ledger/check", user.apiKey()).status()).isEqualTo(403);
    assertThat(service.api().get("/v1/admin/ledger/check", null).status()).isEqualTo(401);
  }

  @Test
  void reportsABalanceThatDriftedFromItsEntries() {
    TestUser user = service.api().createUser(5);
    assertThat(violationsAbout(user.id())).isEmpty();
    try {
      Db.update("UPDATE users SET credits = credits + 1 WHERE id = ?::uuid", user.id());
      assertThat(violationsAbout(user.id()))
          .containsExactly("balance: user " + user.id() + " has 6 credits but its entries sum to 5");
    } finally {
      Db.update("UPDATE users SET credits = credits - 1 WHERE id = ?::uuid", user.id());
    }
    assertThat(violationsAbout(user.id())).isEmpty();
  }

  @Test
  void reportsAnActiveCountThatDoesNotMatchTheUnfinishedGenerations() {
    TestUser user = service.api().createUser(5);
    try {
      Db.update("UPDATE users SET active_generations = active_generations + 1 WHERE id = ?::uuid", user.id());
      assertThat(violationsAbout(user.id())).containsExactly(
          "active: user " + user.id() + " counts 1 active generations but has 0 pending or processing");
    } finally {
      Db.update("UPDATE users SET active_generations = active_generations - 1 WHERE id = ?::uuid", user.id());
    }
  }

  @Test
  void reportsAFailedGenerationWithoutItsRefund() {
    TestUser user = service.api().createUser(5);
    String id = finished(user, "demo");
    assertThat(Db.status(id)).isEqualTo("completed");
    try {
      Db.update("UPDATE generations SET status = 'failed', error_code = 'TIMEOUT' WHERE id = ?::uuid", id);
      assertThat(violationsAbout(id))
          .containsExactly("refund: generation " + id + " (failed) has 0 refund(s) totalling 0, charged 1");
    } finally {
      Db.update("UPDATE generations SET status = 'completed', error_code = NULL WHERE id = ?::uuid", id);
    }
  }

  @Test
  void reportsARefundOfACompletedGeneration() {
    TestUser user = service.api().createUser(5);
    String id = finished(user, "stuck");
    assertThat(Db.status(id)).isEqualTo("failed");
    try {
      Db.update("UPDATE generations SET status = 'completed', error_code = NULL WHERE id = ?::uuid", id);
      assertThat(violationsAbout(id))
          .containsExactly("refund: generation " + id + " (completed) has 1 refund(s) totalling 2, charged 2");
    } finally {
      Db.update("UPDATE generations SET status = 'failed', error_code = 'TIMEOUT' WHERE id = ?::uuid", id);
    }
  }

  @Test
  void reportsAChargeThatDoesNotMatchThePrice() {
    TestUser user = service.api().createUser(5);
    String id = finished(user, "demo");
    try {
      Db.update("UPDATE generations SET credits_charged = 2 WHERE id = ?::uuid", id);
      assertThat(violationsAbout(id))
          .containsExactly("charge: generation " + id + " has 1 charge(s) totalling -1, price 2");
    } finally {
      Db.update("UPDATE generations SET credits_charged = 1 WHERE id = ?::uuid", id);
    }
    assertThat(violationsAbout(id)).isEmpty();
  }
}
