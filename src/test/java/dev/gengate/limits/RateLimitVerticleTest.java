package dev.gengate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gengate.common.Bus;
import dev.gengate.common.ErrorCode;
import dev.gengate.limits.LimitsApi.Check;
import dev.gengate.limits.LimitsApi.Decision;
import dev.gengate.testing.TestInfra;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The limits module over the event bus against the shared test Redis. */
class RateLimitVerticleTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static Vertx vertx;
  private static Vertx slidingVertx;
  private static Redis redis;

  @BeforeAll
  static void start() throws Exception {
    String url = TestInfra.get().redisUrl();
    vertx = Vertx.vertx();
    // Two instances, each with its own connection pool: concurrent checks really race inside Redis.
    deploy(vertx, url, "60s", 2);
    // The sliding tests run against a 2 s window on their own Vert.x (one consumer per address per Vert.x).
    slidingVertx = Vertx.vertx();
    deploy(slidingVertx, url, "2s", 1);
    redis = Redis.createClient(vertx, url);
  }

  private static void deploy(Vertx target, String redisUrl, String window, int instances) throws Exception {
    JsonObject config = new JsonObject()
        .put("redis", new JsonObject().put("url", redisUrl))
        .put("limits", new JsonObject().put("window", window));
    target.deployVerticle(RateLimitVerticle::new, new DeploymentOptions().setConfig(config).setInstances(instances))
        .await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    slidingVertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void freeUserIsRejectedOnTheEleventhRequest() throws Exception {
    UUID user = UUID.randomUUID();
    for (int i = 1; i <= 10; i++) {
      Decision decision = check(vertx, user, 10);
      assertThat(decision.allowed()).as("request %d", i).isTrue();
      assertThat(decision.remaining()).isEqualTo(10 - i);
      assertThat(decision.retryAfterSeconds()).isZero();
      assertThat(decision.limit()).isEqualTo(10);
      assertThat(decision.windowSeconds()).isEqualTo(60);
      assertThat(decision.resetSeconds()).isBetween(59L, 60L);
    }
    Decision eleventh = check(vertx, user, 10);
    assertThat(eleventh.allowed()).isFalse();
    assertThat(eleventh.remaining()).isZero();
    assertThat(eleventh.retryAfterSeconds()).isBetween(55L, 60L);
    assertThat(eleventh.resetSeconds()).isBetween(55L, 60L);
    assertThat(zcard(user)).as("a rejected request is not recorded").isEqualTo(10);
  }

  @Test
  void premiumUserIsRejectedOnTheThirtyFirstRequest() throws Exception {
    UUID user = UUID.randomUUID();
    for (int i = 1; i <= 30; i++) {
      assertThat(check(vertx, user, 30).allowed()).as("request %d", i).isTrue();
    }
    Decision rejected = check(vertx, user, 30);
    assertThat(rejected.allowed()).isFalse();
    assertThat(rejected.limit()).isEqualTo(30);
    assertThat(rejected.retryAfterSeconds()).isPositive();
  }

  @Test
  void aLoweredLimitAppliesAtOnce() throws Exception {
    UUID user = UUID.randomUUID();
    for (int i = 0; i < 15; i++) {
      assertThat(check(vertx, user, 30).allowed()).isTrue();
    }
    Decision asFree = check(vertx, user, 10);
    assertThat(asFree.allowed()).isFalse();
    assertThat(asFree.remaining()).isZero();
    assertThat(asFree.retryAfterSeconds()).isBetween(55L, 60L);
  }

  @Test
  void usersAreIsolated() throws Exception {
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      assertThat(check(vertx, first, 3).allowed()).isTrue();
    }
    assertThat(check(vertx, first, 3).allowed()).isFalse();
    for (int i = 0; i < 3; i++) {
      assertThat(check(vertx, second, 3).allowed()).as("second user, request %d", i + 1).isTrue();
    }
    assertThat(check(vertx, second, 3).allowed()).isFalse();
    assertThat(check(vertx, first, 3).allowed()).isFalse();
  }

  @Test
  void hundredParallelChecksLetExactlyTheLimitThrough() throws Exception {
    UUID user = UUID.randomUUID();
    List<Decision> decisions = parallel(user, 10, 100);
    assertThat(decisions.stream().filter(Decision::allowed).count()).isEqualTo(10);
    assertThat(zcard(user)).isEqualTo(10);
    assertThat(decisions.stream().filter(d -> !d.allowed()).allMatch(d -> d.retryAfterSeconds() >= 1)).isTrue();
  }

  @Test
  void membersAreUniqueEvenWithinOneMicrosecond() throws Exception {
    UUID user = UUID.randomUUID();
    List<Decision> decisions = parallel(user, 1_000, 100);
    assertThat(decisions).allMatch(Decision::allowed);
    assertThat(zcard(user)).isEqualTo(100);
  }

  @Test
  void theWindowSlidesAndRejectedRequestsDoNotConsumeIt() throws Exception {
    UUID user = UUID.randomUUID();
    long firstSent = System.nanoTime();
    assertThat(check(slidingVertx, user, 2).allowed()).isTrue();
    Thread.sleep(1_000);
    assertThat(check(slidingVertx, user, 2).allowed()).isTrue();
    Decision full = check(slidingVertx, user, 2);
    assertThat(full.allowed()).isFalse();
    assertThat(full.retryAfterSeconds()).isEqualTo(1);
    assertThat(full.windowSeconds()).isEqualTo(2);

    // Keep asking while the window is full: every answer received before the first request can have aged
    // out is a rejection, and the first one allowed comes once it has, despite all the rejected attempts.
    long allowedAfter = -1;
    long deadline = firstSent + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      Decision decision = check(slidingVertx, user, 2);
      long received = System.nanoTime();
      if (decision.allowed()) {
        allowedAfter = TimeUnit.NANOSECONDS.toMillis(received - firstSent);
        break;
      }
      assertThat(decision.retryAfterSeconds()).isEqualTo(1);
      Thread.sleep(50);
    }
    assertThat(allowedAfter).as("ms after the first request until one was allowed again").isBetween(2_000L, 4_000L);
    // The second request is still in the window, so the window is full again...
    assertThat(check(slidingVertx, user, 2).allowed()).isFalse();
    // ...until the second request ages out about a second later.
    Thread.sleep(1_500);
    assertThat(check(slidingVertx, user, 2).allowed()).isTrue();
    assertThat(zcard(user)).isEqualTo(2);
  }

  @Test
  void theWindowKeyExpiresWithItsNewestEntry() throws Exception {
    UUID user = UUID.randomUUID();
    check(vertx, user, 10);
    long ttl = redis.send(Request.cmd(Command.PTTL).arg(SlidingWindow.key(user)))
        .await(10, TimeUnit.SECONDS).toLong();
    assertThat(ttl).isBetween(55_000L, 60_000L);
  }

  @Test
  void aFlushedScriptIsLoadedAgain() throws Exception {
    UUID user = UUID.randomUUID();
    assertThat(check(vertx, user, 50).allowed()).isTrue();
    redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await(10, TimeUnit.SECONDS);
    assertThat(scriptLoaded()).isFalse();
    // Many requests meet NOSCRIPT at once; each is answered, and each is counted once.
    List<Decision> decisions = parallel(user, 50, 20);
    assertThat(decisions).allMatch(Decision::allowed);
    assertThat(decisions.stream().mapToInt(Decision::remaining).min().orElseThrow()).isEqualTo(50 - 21);
    assertThat(zcard(user)).isEqualTo(21);
    assertThat(scriptLoaded()).isTrue();
  }

  @Test
  void aLimitBelowOneIsRefused() throws Exception {
    Throwable failure = Bus.request(vertx, LimitsApi.CHECK, new Check(UUID.randomUUID(), 0), TIMEOUT)
        .transform(ar -> Future.succeededFuture(ar.cause()))
        .await(10, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failure).failureCode()).isEqualTo(ErrorCode.VALIDATION_ERROR.busCode());
  }

  private static Decision check(Vertx on, UUID user, int limit) throws Exception {
    return Bus.<Decision>request(on, LimitsApi.CHECK, new Check(user, limit), TIMEOUT)
        .await(10, TimeUnit.SECONDS);
  }

  private static List<Decision> parallel(UUID user, int limit, int count) throws Exception {
    List<Future<Decision>> replies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      replies.add(Bus.request(vertx, LimitsApi.CHECK, new Check(user, limit), TIMEOUT));
    }
    Future.all(replies).await(30, TimeUnit.SECONDS);
    return replies.stream().map(Future::result).toList();
  }

  private static long zcard(UUID user) throws Exception {
    return redis.send(Request.cmd(Command.ZCARD).arg(SlidingWindow.key(user))).await(10, TimeUnit.SECONDS).toLong();
  }

  private static boolean scriptLoaded() throws Exception {
    String sha = SlidingWindow.load().sha();
    Response exists = redis.send(Request.cmd(Command.SCRIPT).arg("EXISTS").arg(sha)).await(10, TimeUnit.SECONDS);
    return exists.get(0).toLong() == 1;
  }
}
