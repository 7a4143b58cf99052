package dev.gengate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.TestInfra;
import dev.gengate.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LedgerCheckApiTest {
  private static Vertx vertx;
  private static Api api;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    api = TestService.start(vertx).api();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void ledgerCheckIsAdminOnly() {
    TestUser user = api.createUser(0);
    assertThat(api.get("/v1/admin/ledger/check", user.apiKey()).status()).isEqualTo(403);
    assertThat(api.get("/v1/admin/ledger/check", null).status()).isEqualTo(401);
  }

  @Test
  void ledgerCheckReportsABalanceThatDriftedFromItsEntries() throws Exception {
    TestUser user = api.createUser(5);
    Reply before = api.get("/v1/admin/ledger/check", TestService.ADMIN_TOKEN);
    assertThat(before.status()).isEqualTo(200);
    assertThat(before.json().getJsonArray("violations").stream().map(String::valueOf))
        .noneMatch(v -> v.contains(user.id()));
    // Corrupt the balance behind the ledger's back, as a bug or a manual edit would.
    try (Connection c = TestInfra.get().jdbc(); Statement s = c.createStatement()) {
      s.execute("UPDATE users SET credits = credits + 1 WHERE id = '" + user.id() + "'");
      JsonObject after = api.get("/v1/admin/ledger/check", TestService.ADMIN_TOKEN).json();
      assertThat(after.getBoolean("healthy")).isFalse();
      assertThat(after.getJsonArray("violations").stream().map(String::valueOf))
          .anyMatch(v -> v.startsWith("balance: user " + user.id() + " has 6 credits but its entries sum to 5"));
      s.execute("UPDATE users SET credits = credits - 1 WHERE id = '" + user.id() + "'");
    }
    assertThat(api.get("/v1/admin/ledger/check", TestService.ADMIN_TOKEN).json().getJsonArray("violations").stream()
        .map(String::valueOf)).noneMatch(v -> v.contains(user.id()));
  }
}
