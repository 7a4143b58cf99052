package dev.gengate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.EmbeddedServices;
import dev.gengate.common.Readiness;
import dev.gengate.http.HttpVerticle;
import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.TestService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /health/ready}: every check named, 200 only when all are up, 503 with per-check detail otherwise. */
class HealthReadyTest {
  private Vertx vertx;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void readyWhenMigratedDeployedAndBothStoresAnswer() {
    vertx = Vertx.vertx();
    TestService service = TestService.start(vertx);
    Reply reply = service.api().get("/health/ready", null);
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    Map<String, JsonObject> checks = checks(reply);
    assertThat(checks).containsOnlyKeys("migrations", "verticles", "postgres", "redis");
    checks.values().forEach(check -> assertThat(check.getString("status")).isEqualTo("UP"));
    assertThat(checks.get("migrations").getJsonObject("data").getString("schemaVersion")).isNotBlank();
    assertThat(service.api().get("/health/live", null).status()).isEqualTo(200);
  }

  @Test
  void notReadyBeforeMigrationsAndDeploymentWithDetailPerCheck() throws Exception {
    vertx = Vertx.vertx();
    // Only the HTTP edge: nothing recorded as migrated or deployed, no module owns PostgreSQL or Redis.
    int port = EmbeddedServices.freePort();
    JsonObject config = TestService.config(new JsonObject().put("http", new JsonObject().put("port", port))).json();
    vertx.deployVerticle(new HttpVerticle(), new DeploymentOptions().setConfig(config)).await(30, TimeUnit.SECONDS);

    Reply reply = new Api(vertx, port).get("/health/ready", null);
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.json().getString("status")).isEqualTo("DOWN");
    Map<String, JsonObject> checks = checks(reply);
    checks.values().forEach(check -> assertThat(check.getString("status")).isEqualTo("DOWN"));
    assertThat(checks.get("migrations").getJsonObject("data").getString("error")).isEqualTo("migrations not done");
    assertThat(checks.get("verticles").getJsonObject("data").getString("error")).isEqualTo("deployment not finished");
    assertThat(checks.get("postgres").getJsonObject("data").getString("error")).isEqualTo("not answering");
  }

  @Test
  void notReadyOnceAModuleIsUndeployed() throws Exception {
    vertx = Vertx.vertx();
    TestService service = TestService.start(vertx);
    List<String> deployments = Readiness.deployments(vertx);
    assertThat(deployments).hasSizeGreaterThanOrEqualTo(3);
    vertx.undeploy(deployments.get(1)).await(30, TimeUnit.SECONDS); // the limits module (Redis)

    Reply reply = service.api().get("/health/ready", null);
    assertThat(reply.status()).isEqualTo(503);
    Map<String, JsonObject> checks = checks(reply);
    assertThat(checks.get("verticles").getString("status")).isEqualTo("DOWN");
    assertThat(checks.get("verticles").getJsonObject("data").getInteger("missing")).isEqualTo(1);
    assertThat(checks.get("redis").getString("status")).isEqualTo("DOWN");
    assertThat(checks.get("migrations").getString("status")).isEqualTo("UP");
    assertThat(checks.get("postgres").getString("status")).isEqualTo("UP");
  }

  private static Map<String, JsonObject> checks(Reply reply) {
    Map<String, JsonObject> byId = new HashMap<>();
    reply.json().getJsonArray("checks").forEach(o -> byId.put(((JsonObject) o).getString("id"), (JsonObject) o));
    return byId;
  }
}
