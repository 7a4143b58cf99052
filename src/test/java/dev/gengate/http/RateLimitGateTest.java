package dev.gengate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.EmbeddedServices;
import dev.gengate.common.config.ConfigReader;
import dev.gengate.ledger.LedgerApi.UserView;
import dev.gengate.limits.LimitsConfig;
import dev.gengate.limits.RateLimitVerticle;
import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.common.metrics.Metrics;
import dev.gengate.testing.Api;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.TestInfra;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RateLimitGate} over HTTP, mounted on a test-only router (the paid routes that use it belong to
 * another module): headers, 429 with Retry-After, and fail-open/closed when the limits module does not answer.
 */
class RateLimitGateTest {
  private static Vertx vertx;
  private static Vertx withoutLimits;
  private static Api api;
  private static Api apiWithoutLimits;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    JsonObject config = new JsonObject()
        .put("redis", new JsonObject().put("url", TestInfra.get().redisUrl()))
        .put("limits", new JsonObject());
    vertx.deployVerticle(RateLimitVerticle::new, new DeploymentOptions().setConfig(config))
        .await(30, TimeUnit.SECONDS);
    api = new Api(vertx, serve(vertx));
    // A Vert.x where nobody answers limits.check: the gate must apply limits.redisFailureMode.
    withoutLimits = Vertx.vertx();
    apiWithoutLimits = new Api(withoutLimits, serve(withoutLimits));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    withoutLimits.close().await(30, TimeUnit.SECONDS);
  }

  /**
   * {@code GET /open/{userId}?premium=} and {@code /closed/...}: the gate with redisFailureMode open or closed,
   * then 200 when admitted; failures go through the service's own error responder.
   */
  static int serve(Vertx on) throws Exception {
    Router router = Router.router(on);
    router.get("/:mode/:user").handler(ctx -> gate(on, ctx.pathParam("mode")).admit(ctx, user(ctx))
        .onSuccess(v -> ctx.json(new JsonObject().put("admitted", true)))
        .onFailure(ctx::fail));
    router.route().failureHandler(new ErrorResponder(65_536)::handle);
    HttpServer server = on.createHttpServer().requestHandler(router)
        .listen(EmbeddedServices.freePort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
    return server.actualPort();
  }

  private static RateLimitGate gate(Vertx on, String mode) {
    LimitsConfig limits = LimitsConfig.from(new ConfigReader(new JsonObject()
        .put("limits", new JsonObject().put("redisFailureMode", mode))));
    return new RateLimitGate(on, limits);
  }

  private static UserView user(RoutingContext ctx) {
    boolean premium = Boolean.parseBoolean(ctx.request().getParam("premium"));
    return new UserView(UUID.fromString(ctx.pathParam("user")), null, "en", 100, premium, 0, 0, 0, null, null);
  }

  @Test
  void freeUserGetsHeadersAndA429WithRetryAfterOnTheEleventhRequest() {
    String user = UUID.randomUUID().toString();
    double rejectedBefore = counter(GengateMetrics.RATE_LIMIT_REJECTED, "free");
    for (int i = 1; i <= 10; i++) {
      Reply reply = api.get("/open/" + user, null);
      assertThat(reply.status()).as("request %d", i).isEqualTo(200);
      assertThat(reply.header("RateLimit-Policy")).isEqualTo("\"per-user\";q=10;w=60");
      assertThat(reply.header("RateLimit")).isEqualTo("\"per-user\";r=" + (10 - i) + ";t=60");
    }
    Reply rejected = api.get("/open/" + user, null);
    assertThat(rejected.status()).isEqualTo(429);
    assertThat(rejected.json().getString("code")).isEqualTo("RATE_LIMITED");
    assertThat(rejected.json().getString("message")).isNotBlank();
    assertThat(Long.parseLong(rejected.header("Retry-After"))).isBetween(55L, 60L);
    assertThat(rejected.header("RateLimit-Policy")).isEqualTo("\"per-user\";q=10;w=60");
    assertThat(rejected.header("RateLimit")).startsWith("\"per-user\";r=0;t=");
    assertThat(counter(GengateMetrics.RATE_LIMIT_REJECTED, "free")).isEqualTo(rejectedBefore + 1);
  }

  @Test
  void premiumUserIsLimitedAtThirty() {
    String path = "/closed/" + UUID.randomUUID() + "?premium=true";
    for (int i = 1; i <= 30; i++) {
      assertThat(api.get(path, null).status()).as("request %d", i).isEqualTo(200);
    }
    Reply rejected = api.get(path, null);
    assertThat(rejected.status()).isEqualTo(429);
    assertThat(rejected.header("RateLimit-Policy")).isEqualTo("\"per-user\";q=30;w=60");
  }

  @Test
  void failOpenLetsRequestsThroughWithoutHeadersAndCountsThem() {
    double before = counter(GengateMetrics.RATE_LIMIT_FAIL_OPEN, "free");
    for (int i = 0; i < 12; i++) {
      Reply reply = apiWithoutLimits.get("/open/" + UUID.randomUUID(), null);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("RateLimit")).isNull();
    }
    assertThat(counter(GengateMetrics.RATE_LIMIT_FAIL_OPEN, "free")).isEqualTo(before + 12);
  }

  @Test
  void failClosedAnswers503WithRetryAfter() {
    double before = counter(GengateMetrics.RATE_LIMIT_FAIL_OPEN, "free");
    Reply reply = apiWithoutLimits.get("/closed/" + UUID.randomUUID(), null);
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.json().getString("code")).isEqualTo("SERVICE_UNAVAILABLE");
    assertThat(reply.header("Retry-After")).isEqualTo("1");
    assertThat(counter(GengateMetrics.RATE_LIMIT_FAIL_OPEN, "free")).isEqualTo(before);
  }

  static double counter(String name, String tier) {
    Counter counter = Metrics.registry().find(name).tag("tier", tier).counter();
    return counter == null ? 0 : counter.count();
  }
}
