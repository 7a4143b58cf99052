package dev.gengate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.EmbeddedServices;
import dev.gengate.common.Bus;
import dev.gengate.common.ErrorCode;
import dev.gengate.common.metrics.GengateMetrics;
import dev.gengate.limits.LimitsApi.Check;
import dev.gengate.limits.LimitsApi.Decision;
import dev.gengate.limits.LimitsApi;
import dev.gengate.limits.SlidingWindow;
import dev.gengate.testing.Api.Reply;
import dev.gengate.testing.Api.TestUser;
import dev.gengate.testing.Api;
import dev.gengate.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * The whole service on a Redis of its own that the test makes slow, stops and starts again on the same port:
 * checks fail fast with SERVICE_UNAVAILABLE, the gate fails open (or closed), readiness turns 503, and all of
 * it recovers without restarting anything.
 */
class RateLimitRedisOutageTest {
  private static final Duration BUS_TIMEOUT = Duration.ofMillis(500);
  private static int redisPort;
  private static RedisServer redisServer;
  private static Vertx vertx;
  private static TestService service;
  private static Api api;
  private static Api gateApi;

  @BeforeAll
  static void start() throws Exception {
    redisPort = EmbeddedServices.freePort();
    redisServer = EmbeddedServices.startRedis(redisPort);
    vertx = Vertx.vertx();
    service = TestService.start(vertx, new JsonObject()
        .put("redis", new JsonObject().put("url", redisUrl()))
        .put("limits", new JsonObject().put("window", "2s").put("busTimeout", "500ms").put("redisTimeout", "250ms")));
    api = service.api();
    gateApi = new Api(vertx, RateLimitGateTest.serve(vertx));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    if (redisServer != null) {
      redisServer.stop();
    }
  }

  private static String redisUrl() {
    return "redis://127.0.0.1:" + redisPort;
  }

  @Test
  void slowOrStoppedRedisFailsFastAndEverythingRecoversWhenItIsBack() throws Exception {
    UUID user = UUID.randomUUID();
    assertThat(check(user).result().allowed()).isTrue();
    assertThat(api.get("/health/ready", null).status()).isEqualTo(200);
    assertThat(gateApi.get("/open/" + user, null).header("RateLimit")).isNotNull();

    // Slow: Redis busy for a second answers nothing; the module gives up after limits.redisTimeout.
    Redis sleeper = Redis.createClient(vertx, redisUrl());
    // Connected first, so the DEBUG SLEEP surely reaches Redis before the check does.
    var sleeperConnection = sleeper.connect().await(10, TimeUnit.SECONDS);
    Future<Response> sleeping = sleeperConnection.send(Request.cmd(Command.DEBUG).arg("SLEEP").arg("1.5"));
    Thread.sleep(100);
    Timed slow = check(user);
    assertUnavailable(slow);
    sleeping.await(10, TimeUnit.SECONDS);
    sleeper.close();
    assertThat(check(user).result().allowed()).isTrue();

    // Stopped.
    redisServer.stop();
    redisServer = null;
    for (int i = 0; i < 5; i++) {
      assertUnavailable(check(user));
    }
    double failOpenBefore = RateLimitGateTest.counter(GengateMetrics.RATE_LIMIT_FAIL_OPEN, "free");
    Reply open = gateApi.get("/open/" + user, null);
    assertThat(open.status()).isEqualTo(200);
    assertThat(open.header("RateLimit")).isNull();
    assertThat(RateLimitGateTest.counter(GengateMetrics.RATE_LIMIT_FAIL_OPEN, "free")).isEqualTo(failOpenBefore + 1);
    Reply closed = gateApi.get("/closed/" + user, null);
    assertThat(closed.status()).isEqualTo(503);
    assertThat(closed.json().getString("code")).isEqualTo("SERVICE_UNAVAILABLE");
    assertThat(closed.header("Retry-After")).isEqualTo("1");
    // The real endpoint fails open too, and PostgreSQL still refuses what money and slots do not allow.
    TestUser rich = api.createUser(10);
    Reply created = api.call(HttpMethod.POST, "/v1/generations", rich.apiKey(),
        new JsonObject().put("prompt", "while Redis is away"));
    assertThat(created.status()).isEqualTo(202);
    assertThat(created.header("RateLimit")).isNull();
    TestUser poor = api.createUser(0);
    assertThat(api.call(HttpMethod.POST, "/v1/generations", poor.apiKey(),
        new JsonObject().put("prompt", "no credits")).status()).isEqualTo(402);
    Reply notReady = api.get("/health/ready", null);
    assertThat(notReady.status()).isEqualTo(503);
    assertThat(notReady.text()).contains("redis");

    // Back on the same port, with an empty script cache: the same service recovers by itself.
    redisServer = EmbeddedServices.startRedis(redisPort);
    awaitTrue("a check is allowed again", () -> {
      Timed timed = check(user);
      return timed.result() != null && timed.result().allowed();
    });
    awaitTrue("ready again", () -> api.get("/health/ready", null).status() == 200);
    Reply admitted = gateApi.get("/closed/" + user, null);
    assertThat(admitted.status()).isEqualTo(200);
    assertThat(admitted.header("RateLimit")).isNotNull();
    Redis probe = Redis.createClient(vertx, redisUrl());
    Response exists = probe.send(Request.cmd(Command.SCRIPT).arg("EXISTS").arg(SlidingWindow.load().sha()))
        .await(10, TimeUnit.SECONDS);
    assertThat(exists.get(0).toLong()).as("script reloaded after NOSCRIPT").isEqualTo(1);
    probe.close();
  }

  /** Unavailable, said by the module itself (not a bus timeout), within about limits.busTimeout. */
  private static void assertUnavailable(Timed timed) {
    assertThat(timed.failure()).isInstanceOf(ReplyException.class);
    ReplyException failure = (ReplyException) timed.failure();
    assertThat(failure.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
    assertThat(failure.failureCode()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE.busCode());
    assertThat(timed.millis()).isLessThan(BUS_TIMEOUT.toMillis() + 500);
  }

  private record Timed(Decision result, Throwable failure, long millis) {}

  private static Timed check(UUID user) {
    long start = System.nanoTime();
    Future<Decision> reply = Bus.request(vertx, LimitsApi.CHECK, new Check(user, 10), Duration.ofSeconds(5));
    Throwable failure = null;
    Decision decision = null;
    try {
      decision = reply.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      failure = e;
    }
    return new Timed(decision, failure, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
