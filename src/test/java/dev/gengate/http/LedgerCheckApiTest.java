package dev.gengate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.RunningService;
import dev.gengate.testing.TestInfra;
import dev.gengate.testing.TestService;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LedgerCheckApiTest {
  @RegisterExtension
  static final RunningService service = new RunningService();

  @Test
  void ledgerCheckIsAdminOnly() {
    TestUser user = service.api().createUser(0);
    assertThat(service.api().get("/v1/admin/ledger/check", user.apiKey()).status()).isEqualTo(403);
    assertThat(service.api().get("/v1/admin/ledger/check", null).status()).isEqualTo(401);
  }

  @Test
  void ledgerCheckReportsABalanceThatDriftedFromItsEntries() throws Exception {
    TestUser user = service.api().createUser(5);
    Reply before = service.api().get("/v1/admin/ledger/check", TestService.ADMIN_TOKEN);
    assertThat(before.status()).isEqualTo(200);
    assertThat(before.json().getJsonArray("violations").stream().map(String::valueOf))
        .noneMatch(v -> v.contains(user.id()));
    // Corrupt the balance behind the ledger's back, as a bug or a manual edit would.
    try (Connection c = TestInfra.get().jdbc(); Statement s = c.createStatement()) {
      s.execute("UPDATE users SET credits = credits + 1 WHERE id = '" + user.id() + "'");
      JsonObject after = service.api().get("/v1/admin/ledger/check", TestService.ADMIN_TOKEN).json();
      assertThat(after.getBoolean("healthy")).isFalse();
      assertThat(after.getJsonArray("violations").stream().map(String::valueOf))
          .anyMatch(v -> v.startsWith("balance: user " + user.id() + " has 6 credits but its entries sum to 5"));
      s.execute("UPDATE users SET credits = credits - 1 WHERE id = '" + user.id() + "'");
    }
    assertThat(service.api().get("/v1/admin/ledger/check", TestService.ADMIN_TOKEN).json().getJsonArray("violations")
        .stream().map(String::valueOf)).noneMatch(v -> v.contains(user.id()));
  }
}
