package dev.gengate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.EmbeddedServices;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.RunningService;
import dev.gengate.testing.TestService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With PostgreSQL unreachable the service answers 503 with Retry-After, never a 500, and is not ready. */
class DependencyDownTest {
  @RegisterExtension
  static final RunningService service = new RunningService(new JsonObject()
      .put("db", new JsonObject().put("url", "postgresql://postgres:postgres@127.0.0.1:"
          + EmbeddedServices.freePort() + "/postgres")));

  private static void assertUnavailable(Reply reply) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(503);
    assertThat(reply.json().getString("code")).isEqualTo("SERVICE_UNAVAILABLE");
    assertThat(reply.header("Retry-After")).isEqualTo("1");
  }

  @Test
  void userRequestsGet503WithRetryAfter() {
    assertUnavailable(service.api().get("/v1/me", "gg_some-key"));
  }

  @Test
  void adminRequestsGet503WithRetryAfter() {
    assertUnavailable(service.api().post("/v1/admin/users", TestService.ADMIN_TOKEN, new JsonObject()));
  }

  @Test
  void readinessReportsPostgresDown() {
    Reply ready = service.api().get("/health/ready", null);
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.text()).contains("\"id\":\"postgres\",\"status\":\"DOWN\"");
    assertThat(service.api().get("/health/live", null).status()).isEqualTo(200);
  }
}
