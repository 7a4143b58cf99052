package dev.gengate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.RunningService;
import dev.gengate.testing.TestService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthApiTest {
  @RegisterExtension
  static final RunningService service = new RunningService();

  @Test
  void userEndpointWithoutCredentialsIs401() {
    Reply reply = service.api().get("/v1/me", null);
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.json().getString("code")).isEqualTo("UNAUTHORIZED");
    assertThat(reply.json().getString("requestId")).isNotBlank();
  }

  @Test
  void unknownApiKeyIs401() {
    assertThat(service.api().get("/v1/me", "gg_not-a-key").status()).isEqualTo(401);
  }

  @Test
  void adminTokenIsNotAUserKey() {
    assertThat(service.api().get("/v1/me", TestService.ADMIN_TOKEN).status()).isEqualTo(401);
  }

  @Test
  void userKeyOnAdminEndpointIs403() {
    TestUser user = service.api().createUser(0);
    Reply reply = service.api().post("/v1/admin/users", user.apiKey(), new JsonObject());
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.json().getString("code")).isEqualTo("FORBIDDEN");
  }

  @Test
  void badTokenOnAdminEndpointIs401() {
    assertThat(service.api().get("/v1/admin/users/00000000-0000-0000-0000-000000000000", "wrong").status())
        .isEqualTo(401);
  }

  @Test
  void apiKeyIsShownOnceAndStoredOnlyAsHash() throws Exception {
    TestUser user = service.api().createUser(0);
    assertThat(user.apiKey()).startsWith("gg_").hasSizeGreaterThanOrEqualTo(3 + 43);
    assertThat(service.api().get("/v1/me", user.apiKey()).json().getString("id")).isEqualTo(user.id());
    try (var connection = dev.gengate.testing.TestInfra.get().jdbc();
        var statement = connection.prepareStatement("SELECT count(*) FROM api_keys WHERE key_prefix = ?"
            + " AND position(convert_to(?, 'UTF8') in key_hash) = 0")) {
      statement.setString(1, user.apiKey().substring(0, 9));
      statement.setString(2, user.apiKey());
      var rows = statement.executeQuery();
      rows.next();
      assertThat(rows.getInt(1)).isEqualTo(1);
    }
  }
}
